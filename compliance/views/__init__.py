"""Pages of the compliance app: dashboard, registry, inspector work list, business
portal, auditor change log and annual reports (one module each)."""
