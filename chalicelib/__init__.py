"""vssid-backend: the VssID-style social-insurance backend (Bảo hiểm xã hội Việt Nam)."""
