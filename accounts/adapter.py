"""django-allauth's hooks, at the library boundary: every decision is made by accounts.services."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.forms import Form
from django.http import HttpRequest
from django.utils import translation

from accounts.models import User
from accounts.ratelimits import login_failure_record, login_lockout_check
from accounts.selectors import email_is_taken
from accounts.services import user_sign_ins_end, user_verified_record, user_welcome_send
from marketmate.emails import email_send

# allauth's mail template prefix -> MarketMate's e-mail template (templates/emails/<name>.*).
EMAIL_TEMPLATES = {
    "account/email/email_confirmation_signup": "account_email_confirmation_signup",
    "account/email/email_confirmation": "account_email_confirmation",
    "account/email/password_reset_key": "account_password_reset_key",
    "account/email/account_already_exists": "account_already_exists",
    "account/email/unknown_account": "account_unknown_account",
}
CONTEXT_VALUES = ("activate_url", "key", "password_reset_url", "uid", "signup_url", "code")


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Send allauth's e-mails as MarketMate e-mails (HTML and text, in the recipient's
        language) through the background e-mail job, never inside the request."""
        user = context.get("user")
        values: dict[str, Any] = {
            key: str(context[key]) for key in CONTEXT_VALUES if context.get(key) is not None
        }
        values["email"] = email
        language = translation.get_language()
        if isinstance(user, User):
            values["name"] = user.get_short_name()
            language = user.language or language
        template = EMAIL_TEMPLATES.get(
            template_prefix, "account_" + template_prefix.rsplit("/", 1)[-1]
        )
        email_send(to=email, template=template, context=values, language=language)

    def send_confirmation_mail(
        self, request: HttpRequest, emailconfirmation: Any, signup: bool
    ) -> None:
        """The verification link, unless the address belongs to another account: its owner
        gets a notice instead (someone tried to use it), and the user who asked for it sees
        the same answer as for a free address (no account enumeration)."""
        address = emailconfirmation.email_address
        if email_is_taken(email=address.email, exclude_user_id=address.user_id):
            self.send_account_already_exists_mail(address.email)
            return
        super().send_confirmation_mail(request, emailconfirmation, signup)

    def save_user(self, request: HttpRequest, user: Any, form: Form, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        user.name = form.cleaned_data.get("name", "")
        user.language = translation.get_language() or ""
        if commit:
            user.save()
            user_welcome_send(user=user)
        return user

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        confirmed = super().confirm_email(request, email_address)
        user_verified_record(user=User.objects.get(pk=email_address.user_id))
        return confirmed

    def set_password(self, user: Any, password: str) -> None:
        # A changed or reset password ends the user's other sessions and their JWTs; allauth
        # then keeps the session that changed it (update_session_auth_hash).
        super().set_password(user, password)
        user_sign_ins_end(user=user)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        super().pre_authenticate(request, **credentials)
        login_lockout_check(request=request, email=credentials.get("email", ""))

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        login_failure_record(request=request, email=credentials.get("email", ""))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict) -> Any:
        user = super().populate_user(request, sociallogin, data)
        full_name = " ".join(
            part for part in [data.get("first_name"), data.get("last_name")] if part
        )
        user.name = (data.get("name") or full_name or "")[:150]
        user.language = translation.get_language() or ""
        return user

    def save_user(
        self, request: HttpRequest, sociallogin: SocialLogin, form: Form | None = None
    ) -> Any:
        user = super().save_user(request, sociallogin, form)
        user_verified_record(user=user)
        user_welcome_send(user=user)
        return user
