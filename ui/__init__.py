"""Shared Streamlit UI pieces used by every page (pages stay thin)."""
