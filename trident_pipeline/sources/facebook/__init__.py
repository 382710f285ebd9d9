"""Facebook: the organisation's page @tridentgrp, read through the Graph API."""
