"""Login, logout, the language switch and user administration."""

import hmac

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import joinedload

from planner.accounts import bp
from planner.accounts.forms import (
    LoginForm,
    OfficeForm,
    PasswordChangeForm,
    TeamForm,
    UserForm,
)
from planner.accounts.models import Team, User
from planner.accounts.services import (
    authenticate,
    change_own_password,
    create_user,
    office_teams,
    reset_password,
    update_office,
)
from planner.bounds import int_in_range
from planner.collation import vi_order
from planner.enums import Role
from planner.errors import PlannerError
from planner.extensions import db, limiter, login_manager
from planner.forms import required
from planner.phones import normalise_phone
from planner.scoping import admin_required, get_owned_or_404
from planner.web import is_safe_next

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user whose id and current session token the cookie holds (see User.get_id)."""
    number, _sep, token = user_id.partition(":")
    if not number.isdigit() or not int_in_range(int(number)) or not token:
        return None
    # The team comes along (a join on a few rows): "my team" pages show its name, and a round
    # trip of its own would cost them a query each.
    user = db.session.get(User, int(number), options=[joinedload(User.team)])
    if user is None or not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


def _address_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"]


def _pair_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _username_and_address_key() -> str:
    # Per username *and* address: someone elsewhere guessing cannot lock the user out.
    username = request.form.get("username", "").strip().lower()[:80]
    return f"login:{get_remote_address()}:{username}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_pair_limit, methods=["POST"], key_func=_username_and_address_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("sessions.week"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(required(form.username.data), required(form.password.data))
        if user is None:
            form.add_error(
                PlannerError(_("The username or password is not right."), field="password")
            )
        else:
            session.clear()
            login_user(user, remember=form.remember.data)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("sessions.week"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    lang = session.get("lang")
    # Ends this user's sessions everywhere: a copied cookie or remember cookie stops working.
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_own_password(
                current_user, required(form.current_password.data), required(form.password.data)
            )
            db.session.commit()
        except PlannerError as error:
            db.session.rollback()
            form.add_error(error, default="password")
        else:
            # The other sessions ended with the old token; this one carries on with the new.
            login_user(current_user._get_current_object())
            flash(_("Your password was changed. Other devices were logged out."), "success")
            return redirect(url_for("sessions.week"))
    return render_template("accounts/password.html", form=form)


@bp.before_app_request
def password_change_first():
    """After an admin reset, the user chooses their own password before anything else."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS
    ):
        flash(_("Choose your own password to continue."), "info")
        return redirect(url_for("accounts.change_password"))
    return None


PASSWORD_CHANGE_ENDPOINTS = {
    "accounts.change_password",
    "accounts.logout",
    "accounts.language",
    "static",
}


@bp.get("/language/<code>")
def language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    target = request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for("sessions.week"))


@bp.get("/admin/users")
@admin_required
def users():
    people = db.session.scalars(
        sa.select(User)
        .where(User.office_id == current_user.office_id)
        .options(sa.orm.selectinload(User.team))
        .order_by(User.active.desc(), vi_order(User.full_name))
    ).all()
    return render_template("accounts/users.html", users=people)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    form = UserForm(teams=office_teams(current_user.office_id))
    if form.validate_on_submit():
        if not form.password.data:
            form.add_error(PlannerError(_("A new user needs a password."), field="password"))
        else:
            try:
                create_user(
                    current_user.office,
                    required(form.username.data),
                    required(form.full_name.data),
                    form.password.data,
                    role=form.role.data,
                    phone=form.phone.data or "",
                    team=_team_or_none(form.team_id.data),
                )
                db.session.commit()
            except PlannerError as error:
                db.session.rollback()
                form.add_error(error, default="username")
            else:
                flash(_("User %(name)s was created.", name=form.full_name.data), "success")
                return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


def _save_user(user: User, form: UserForm) -> None:
    """Apply the admin's changes; a taken username or taking away one's own administrator
    access raises PlannerError with the field at fault. Deactivating ends the user's sessions."""
    taken = db.session.scalar(
        sa.select(User.id).where(User.username == form.username.data, User.id != user.id)
    )
    if taken:
        raise PlannerError(
            _("The username “%(name)s” is taken.", name=form.username.data),
            field="username",
        )
    if user.id == current_user.id and (form.role.data != Role.ADMIN.value or not form.active.data):
        raise PlannerError(_("You cannot remove your own administrator access."), field="role")
    user.username = required(form.username.data)
    user.full_name = required(form.full_name.data).strip()
    user.phone = normalise_phone(form.phone.data) if form.phone.data else ""
    user.role = Role(form.role.data)
    user.team = _team_or_none(form.team_id.data)
    if user.active and not form.active.data:
        user.end_sessions()
    user.active = form.active.data
    if form.password.data:
        reset_password(user, form.password.data)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = get_owned_or_404(User, user_id)
    form = UserForm(obj=user, teams=office_teams(current_user.office_id))
    if request.method == "GET":
        form.team_id.data = user.team_id or 0
        form.role.data = user.role.value
    if form.validate_on_submit():
        try:
            _save_user(user, form)
            db.session.commit()
        except PlannerError as error:
            db.session.rollback()
            form.add_error(error, default="username")
        else:
            flash(_("Changes to %(name)s were saved.", name=user.full_name), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=user)


def _team_or_none(team_id: int | None) -> Team | None:
    if not team_id:
        return None
    return get_owned_or_404(Team, team_id)


@bp.route("/admin/teams", methods=["GET", "POST"])
@admin_required
def teams():
    form = TeamForm()
    if form.validate_on_submit():
        name = required(form.name.data).strip()
        db.session.add(Team(office_id=current_user.office_id, name=name))
        db.session.commit()
        flash(_("Team %(name)s was added.", name=name), "success")
        return redirect(url_for("accounts.teams"))
    office_teams = db.session.scalars(
        sa.select(Team)
        .where(Team.office_id == current_user.office_id)
        .options(sa.orm.selectinload(Team.members))
        .order_by(vi_order(Team.name))
    ).all()
    return render_template("accounts/teams.html", form=form, teams=office_teams)


@bp.route("/admin/teams/<int:team_id>", methods=["GET", "POST"])
@admin_required
def edit_team(team_id: int):
    team = get_owned_or_404(Team, team_id)
    form = TeamForm(obj=team)
    if form.validate_on_submit():
        team.name = required(form.name.data).strip()
        db.session.commit()
        flash(_("Team %(name)s was saved.", name=team.name), "success")
        return redirect(url_for("accounts.teams"))
    return render_template("accounts/team_form.html", form=form, team=team)


@bp.route("/admin/office", methods=["GET", "POST"])
@admin_required
def office():
    record = current_user.office
    form = OfficeForm(obj=record)
    if form.validate_on_submit():
        try:
            update_office(
                record,
                name=required(form.name.data),
                province=required(form.province.data),
                address=form.address.data or "",
                phone=form.phone.data or "",
                contact_link=form.contact_link.data or "",
                by=current_user,
            )
        except PlannerError as error:
            form.add_error(error, default="phone")
        else:
            flash(_("The office details were saved."), "success")
            return redirect(url_for("accounts.office"))
    return render_template("accounts/office.html", form=form)
