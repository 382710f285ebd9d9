"""Package data: the exported abuse model, ``abuse-model.json``.

Written by ``scripts/train_abuse_model.py``; read by :meth:`..abuse.AbuseModel.load`.
"""
