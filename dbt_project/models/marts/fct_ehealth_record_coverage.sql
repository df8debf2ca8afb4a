{{ indicator_fact('ehealth_record_coverage') }}
