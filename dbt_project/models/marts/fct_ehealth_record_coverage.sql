{{ indicator_fact('ehr_coverage') }}
