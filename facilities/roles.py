"""The four registry roles as Django groups, with the model permissions each holds.

Groups are kept in step with this table after every migrate and every flush
(post_migrate), because permissions only exist once migrations have run, so a data
migration cannot assign them.
"""

from django.contrib.auth.models import Group, Permission

from facilities.choices import Role

REGISTRY_MODELS = {
    "facilities": ["district", "commune", "sector", "departmentname", "enterprise", "facility"],
    "inspections": [
        "inspection",
        "finding",
        "attachment",
        "remediationevidence",
        "evidencefile",
        "reinspectionrequest",
    ],
    "compliance": ["certificate", "cleantechmeasure"],
}


def _perms(actions, models_by_app=REGISTRY_MODELS):
    return {
        f"{app}.{action}_{model}"
        for app, models in models_by_app.items()
        for model in models
        for action in actions
    }


GROUP_PERMISSIONS: dict[str, set[str]] = {
    Role.ADMIN: _perms(["view", "add", "change", "delete"]) | {"facilities.view_profile"},
    Role.AUDITOR: _perms(["view"]),
    Role.INSPECTOR: _perms(["view"])
    | _perms(["add", "change"], {"inspections": ["inspection", "finding"]})
    | {"compliance.change_cleantechmeasure"},
    Role.BUSINESS: _perms(["view"], {k: v for k, v in REGISTRY_MODELS.items()}),
}

GROUP_NAMES = {role: f"envreg-{role}" for role in Role.values}


def sync_role_groups(*, using: str = "default") -> None:
    """Create or update the role groups so they hold exactly the listed permissions."""
    by_name = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.using(using)
        .select_related("content_type")
        .filter(content_type__app_label__in=list(REGISTRY_MODELS))
    }
    for role, perm_names in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=GROUP_NAMES[role])
        group.permissions.set([by_name[n] for n in sorted(perm_names) if n in by_name])


def sync_role_groups_after_migrate(*, app_config, using="default", **kwargs) -> None:
    """post_migrate handler: re-sync the groups once a registry app's permissions exist.

    Django sends post_migrate once per installed app, in INSTALLED_APPS order, and creates
    each app's permissions in that app's turn. Syncing after each registry app means the
    groups hold every permission once the last of them (compliance) has had its turn, on
    the first migrate of an empty database as on every later one.
    """
    if app_config.label in REGISTRY_MODELS:
        sync_role_groups(using=using)
