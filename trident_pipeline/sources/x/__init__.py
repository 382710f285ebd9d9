"""X (formerly Twitter): the organisation's account @tridentgrp, read through the X API v2."""
