"""The end-to-end suite against a deployed stage: skipped unless VSSID_E2E_BASE_URL names one."""
