"""Panj Border Watch: the plain library behind the dashboard (no Streamlit here)."""
