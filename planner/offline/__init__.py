"""Offline use: entries kept on the phone and sent later (each recorded once), what the phone
keeps for the signed-in officer, the web app manifest and the service worker."""

from flask import Blueprint

bp = Blueprint("offline", __name__)
