"""Loopback stand-ins for the platforms' REST APIs: stateful, and strict about what they accept."""
