"""E-mail verification is kept in one place, allauth's EmailAddress: every user the old flag
called verified gets a verified address record first, then the flag goes."""

from django.db import migrations


def copy_verified_to_email_addresses(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    for user in User.objects.filter(verified=True).only("pk", "email").iterator():
        address = EmailAddress.objects.filter(user_id=user.pk, email__iexact=user.email).first()
        if address is None:
            has_primary = EmailAddress.objects.filter(user_id=user.pk, primary=True).exists()
            EmailAddress.objects.create(
                user_id=user.pk, email=user.email, primary=not has_primary, verified=True
            )
        elif not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])


def copy_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    verified = EmailAddress.objects.filter(verified=True).values_list("user_id", flat=True)
    User.objects.filter(pk__in=verified).update(verified=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_profile_addresses_and_bans"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.RunPython(copy_verified_to_email_addresses, copy_back),
        migrations.RemoveField(model_name="user", name="verified"),
    ]
