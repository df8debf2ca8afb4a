with model_settings as (
    select * from {{ source('reference', 'model_settings') }}
)

select timezone, outlier_threshold, outlier_min_values
from model_settings
