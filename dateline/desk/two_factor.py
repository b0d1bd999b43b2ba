"""Optional TOTP two-factor sign-in: the one module that uses django-otp (decision 0081).

An editor turns it on from the desk's account page by adding an authenticator app (the key, or the
`otpauth://` address it encodes) and confirming with a first code; from then on the sign-in form
asks for a current code with the password (`sign_in.ThrottledModelBackend`). Nobody is made to
turn it on, the demo's editor included.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from dateline.desk.adapters.qr_code import inline_svg

DEVICE_NAME = "authenticator app"


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What the editor types or scans into an authenticator app."""

    key_base32: str
    otpauth_url: str
    # The same address as a QR code, an <svg> element to place in the page as is.
    qr_svg: str


def is_on(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verify(user: User, code: str) -> bool:
    """Whether `code` is a current code of the user's confirmed authenticator (each code once)."""
    code = "".join(code.split())
    if not code.isdigit():
        return False
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device is not None and bool(device.verify_token(code))


def pending_enrolment(user: User) -> Enrolment:
    """The key of the authenticator being added (made on first ask, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return _enrolment(device)


def _enrolment(device: TOTPDevice) -> Enrolment:
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    url = device.config_url
    return Enrolment(
        key_base32=key,
        otpauth_url=url,
        qr_svg=inline_svg(url, title="QR code to scan with your authenticator app"),
    )


def confirm(user: User, code: str) -> bool:
    """Turns two-factor on when `code` matches the pending authenticator."""
    code = "".join(code.split())
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not code.isdigit() or not device.verify_token(code):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def turn_off(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
