"""allauth's sign-up page without account enumeration.

allauth prevents enumeration at sign-up only when e-mail verification is mandatory; MarketMate
keeps it optional for signing in, so this page does it itself: a new address and an address
that already has an account get the same answer (the "check your inbox" page, nobody signed
in), and the existing account's owner is e-mailed instead of a second account being made. A
new user signs in from the link in the verification e-mail (or with their password).
"""

from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal import flows
from allauth.account.internal.flows.email_verification import (
    add_email_verification_sent_message,
)
from allauth.account.views import SignupView as AllauthSignupView
from allauth.core.exceptions import ImmediateHttpResponse
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.selectors import email_is_taken


class PrivateSignupForm(AllauthSignupForm):
    """Never says that an address is taken (allauth's form does while verification is only
    optional); `try_save` e-mails the owner instead of creating a second account."""

    def validate_unique_email(self, value: str) -> str:
        self.account_already_exists = email_is_taken(email=value)
        return value

    def try_save(self, request: HttpRequest) -> tuple[Any, HttpResponse | None]:
        if self.account_already_exists:
            email = self.cleaned_data["email"]
            get_adapter(request).send_account_already_exists_mail(email)
            # The same note a new sign-up gets ("Confirmation e-mail sent to ...").
            add_email_verification_sent_message(request, email, signup=True)
            return None, redirect("account_email_verification_sent")
        return self.save(request), None


class SignupView(AllauthSignupView):
    form_class = PrivateSignupForm

    def form_valid(self, form: PrivateSignupForm) -> HttpResponse:
        self.user, response = form.try_save(self.request)
        if response is not None:
            return response
        try:
            # Verification is mandatory for this step only: the new account is not signed in
            # here, so the answer is the same page as for a taken address.
            return flows.signup.complete_signup(
                self.request,
                user=self.user,
                email_verification=allauth_settings.EmailVerificationMethod.MANDATORY,
                redirect_url=self.get_success_url(),
                by_passkey=form.by_passkey,
            )
        except ImmediateHttpResponse as exc:
            return exc.response
