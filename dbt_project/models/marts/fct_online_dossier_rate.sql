{{ indicator_fact('online_dossier_rate') }}
