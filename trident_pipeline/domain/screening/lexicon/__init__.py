"""Package data: the curated abuse (``abuse.txt``) and threat (``threat.txt``) lexicons."""
