"""Reading back signed attendance sheets from phone photos or scanned PDFs."""

from flask import Blueprint

# cli_group=None: `flask read-sheet` and `flask purge-sheet-photos` sit beside the app's commands.
bp = Blueprint("readback", __name__, url_prefix="/readback", cli_group=None)
