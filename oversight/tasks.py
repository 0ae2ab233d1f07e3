"""Background work of the oversight: cube builds and transfer alerts. Tasks take ids and re-check state;
a build is a database row first, so a lost task is found again by the sweep."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .models import BuildState, CubeBuild
from .worker import alerts, cube


@shared_task(acks_late=True, time_limit=30 * 60, soft_time_limit=28 * 60)
def build_cube(build_id: int) -> None:
    cube.build_cube(build_id)
    alerts.flag_transfers(year=CubeBuild.objects.get(pk=build_id).year)


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def flag_transfer(transfer_public_id: str) -> None:
    from endoflife.models import Transfer

    transfer = (
        Transfer.objects.select_related("organization", "passport")
        .filter(public_id=transfer_public_id)
        .first()
    )
    if transfer is not None:
        alerts.flag_transfer(transfer)


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def unflag_transfer(transfer_public_id: str) -> None:
    alerts.unflag_transfer(transfer_public_id)


@shared_task(time_limit=60, soft_time_limit=50)
def scheduled_builds() -> None:
    """Build this year's cube (and last year's in January, so that its last quarter is complete), and
    queue any build still waiting (its task was lost)."""
    today = timezone.localdate()
    years = {today.year} | ({today.year - 1} if today.month == 1 else set())
    for year in years:
        cube.request_build(year)
    for build_id in CubeBuild.objects.filter(state=BuildState.BUILDING).values_list("pk", flat=True):
        build_cube.delay(build_id)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def alert_digest() -> None:
    from .digest import send_digest

    send_digest()
