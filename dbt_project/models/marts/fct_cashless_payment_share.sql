{{ indicator_fact('cashless_payment_share') }}
