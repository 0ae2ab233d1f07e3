"""Helpers shared by the web tests."""

from __future__ import annotations

import re
import time

from django_otp.oath import totp

INVITATION_LINK = re.compile(r"https?://[^/\s]+(/invitations/[^/\s]+/)")


class OtpClock:
    """The clock seen by django-otp: fixed, a few seconds into a 30-second step, moved by hand."""

    step = 30

    def __init__(self) -> None:
        self.now = float(int(time.time()) // self.step * self.step + 5)

    def time(self) -> float:
        return self.now

    def advance(self, steps: int = 1) -> None:
        self.now += self.step * steps


def code_for(device, steps_ago: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ago` steps earlier) for the device's key."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=-steps_ago)
    return f"{code:06d}"


def messages_of(response) -> list[str]:
    """The flash messages rendered into a response (follow=True responses carry the context)."""
    return [str(message) for message in response.context["messages"]]


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session
