"""Bluesky: the organisation's account @tridentgrp.bsky.social, read through the AT Protocol."""
