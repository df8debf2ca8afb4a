"""A corpus of submissions a real province could send, each with the outcome the contract
(../shared/CONTRACT.md) and the README's documented choices promise for it.

Every case is one file in the landing zone: its path (the first folder is the submitter),
its exact bytes, the status `marts.submission_files` must give it, the exact set of
(row_number, rule, severity) findings `marts.data_quality_issues` must hold for it, and the
fact rows it must publish. All cases land together and go through ONE refresh, so a case
also checks that its neighbours' bad bytes do not disturb it.

Conventions that keep cases independent of each other:
- every case writes its rows under a sector of its own (`sector=`), so resubmission and the
  cross-file rules (numerator_exceeds_denominator, rate_mismatch) never join two cases by
  accident; where `sector` is set, the facts of that sector must be exactly `published`;
- periods lie in 2020..2025, except in the future_period cases;
- no two cases have the same bytes, except the ones meant to be duplicates.
"""

from __future__ import annotations

import codecs
import gzip
import json
import random
import unicodedata
from dataclasses import dataclass, field

# the size limit the test sets (DIGIMETRICS_MAX_FILE_BYTES): the 10 MB line fits, one file does not
MAX_FILE_BYTES = 20_000_000

ROW_REJECTED, WARNING, FILE_REJECTED = "row_rejected", "warning", "file_rejected"
ODR = "fct_online_dossier_rate"
CPS = "fct_cashless_payment_share"
EHR = "fct_ehealth_record_coverage"
FACT_TABLES = (ODR, CPS, EHR)

Finding = tuple[int | None, str, str]  # row_number, rule, severity
Fact = tuple[str, str, str, str, int | None, int | None]  # table, region, period, sector, num, den


@dataclass(frozen=True)
class Case:
    path: str  # relative to the landing root
    content: bytes
    status: str  # accepted, partially_accepted, rejected, duplicate
    findings: frozenset[Finding] = frozenset()
    published: tuple[Fact, ...] = ()
    sector: str | None = None  # when set: the facts of this sector are exactly `published`
    family: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        return self.path


CASES: list[Case] = []
_family = ""


def family(name: str) -> None:
    global _family
    _family = name


def case(
    path: str,
    content: bytes,
    status: str,
    findings: list[Finding] | tuple[Finding, ...] = (),
    published: list[Fact] | tuple[Fact, ...] = (),
    sector: str | None = None,
) -> Case:
    c = Case(path, content, status, frozenset(findings), tuple(published), sector, _family)
    CASES.append(c)
    return c


# --- building contents ------------------------------------------------------------------


def lines(*rows: str, eol: str = "\n") -> str:
    """A CSV text: one string per line, as the province's tool wrote it."""
    return eol.join(rows) + eol


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


def utf8_bom(text: str) -> bytes:
    return codecs.BOM_UTF8 + text.encode("utf-8")


def utf16le(text: str) -> bytes:
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def utf16be(text: str) -> bytes:
    return codecs.BOM_UTF16_BE + text.encode("utf-16-be")


def cp1251(text: str) -> bytes:
    return text.encode("cp1251")


def js(document: object, indent: int | None = 1) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=indent).encode("utf-8")


def obs(region: object, metric: object, value: object, **extra: object) -> dict[str, object]:
    return {"region": region, "metric": metric, "value": value, **extra}


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- expected findings and facts ----------------------------------------------------------


def rej(row: int, rule: str) -> Finding:
    return (row, rule, ROW_REJECTED)


def warn(row: int, rule: str) -> Finding:
    return (row, rule, WARNING)


def file_rej(rule: str) -> Finding:
    return (None, rule, FILE_REJECTED)


LEGACY = (None, "legacy_encoding", WARNING)


def odr(region: str, period: str, sector: str, num: int | None, den: int | None) -> Fact:
    return (ODR, region, period, sector, num, den)


def cps(region: str, period: str, sector: str, num: int | None, den: int | None) -> Fact:
    return (CPS, region, period, sector, num, den)


def ehr(region: str, period: str, sector: str, num: int | None, den: int | None) -> Fact:
    return (EHR, region, period, sector, num, den)


H = "region,period,metric,sector,value"
HS = "region;period;metric;sector;value"

# =========================================================================================
family("encoding")
# =========================================================================================

s = "enc_utf8"
case(
    "VN-HN/encoding/utf8.csv",
    utf8(lines("region,period,metric,sector,value,note",
               f"Hà Nội,2024-Q1,online_dossiers,{s},640,Sở Thông tin và Truyền thông",
               f"Hà Nội,2024-Q1,total_dossiers,{s},800,")),
    "accepted", published=[odr("VN-HN", "2024-Q1", s, 640, 800)], sector=s,
)  # fmt: skip

s = "enc_utf8_bom"
case(
    "VN-SG/encoding/utf8_bom_semicolon.csv",
    utf8_bom(lines("Region;Period;Metric;Sector;Value",
                   f"Thành phố Hồ Chí Minh;2024-H1;online_dossiers;{s};96.310",
                   f"TP.HCM;2024-H1;total_dossiers;{s};118.900")),
    "accepted", published=[odr("VN-SG", "2024-H1", s, 96310, 118900)], sector=s,
)  # fmt: skip

s = "enc_utf16le"
case(  # Excel's "Unicode text": UTF-16 LE with BOM, tab-delimited, CRLF
    "MN/encoding/utf16le_tab.txt.csv",
    utf16le(lines("region\tperiod\tmetric\tsector\tvalue",
                  f"Дархан-Уул\t2024\tehr_people\t{s}\t88000",
                  f"Дархан уул\t2024\tpopulation\t{s}\t110000",
                  f"Хөвсгөл\t2024\tehr_coverage\t{s}\t81.5", eol="\r\n")),
    "accepted",
    published=[ehr("MN-037", "2024", s, 88000, 110000), ehr("MN-041", "2024", s, None, None)],
    sector=s,
)  # fmt: skip

s = "enc_utf16be"
case(
    "UZ/encoding/utf16be.csv",
    utf16be(lines(H, f"Самарқанд,2024-H1,cashless_payments,{s},410000",
                  f"Samarqand,H1 2024,total_payments,{s},620000")),
    "accepted", published=[cps("UZ-SA", "2024-H1", s, 410000, 620000)], sector=s,
)  # fmt: skip

s = "enc_cp1251"
case(
    "MN-1/encoding/cp1251_semicolon.csv",
    cp1251(lines("region;period;metric;sector;value;note",
                 f"Улаанбаатар;2024;cashless_payments;{s};2 310 400;данные за год",
                 f"Улаанбаатар;2024;total_payments;{s};3.004.100;", eol="\r\n")),
    "accepted", [LEGACY], [cps("MN-1", "2024", s, 2310400, 3004100)], sector=s,
)  # fmt: skip

s = "enc_cp1251_ru"
case(
    "UZ/encoding/cp1251_russian_alias.csv",
    cp1251(lines(HS, f"Ташкентская область;2023;online_dossiers;{s};51200",
                 f"Ташкентская область;2023;total_dossiers;{s};64000")),
    "accepted", [LEGACY], [odr("UZ-TO", "2023", s, 51200, 64000)], sector=s,
)  # fmt: skip

s = "enc_cp1251_uz"
case(
    "UZ-BU/encoding/cp1251_uzbek_cyrillic.csv",
    cp1251(lines(H, f"Бухоро,2023-Q4,online_dossiers,{s},7300",
                 f"Бухарская область,2023-Q4,total_dossiers,{s},9100")),
    "accepted", [LEGACY], [odr("UZ-BU", "2023-Q4", s, 7300, 9100)], sector=s,
)  # fmt: skip

s = "enc_cp1251_mn"
case(
    "MN/encoding/cp1251_mongolian.csv",
    cp1251(lines(HS, f"Орхон;2023;ehr_people;{s};61000", f"Орхон;2023;population;{s};72000",
                 f"Архангай;2023;ehr_coverage;{s};55,5")),
    "accepted", [LEGACY],
    [ehr("MN-035", "2023", s, 61000, 72000), ehr("MN-073", "2023", s, None, None)], sector=s,
)  # fmt: skip

s = "enc_latin1"
case(
    "VN-44/encoding/latin1.csv",
    lines("region,period,metric,sector,value,note",
          f"VN-44,2024,online_dossiers,{s},100,résumé envoyé",
          f"VN-44,2024,total_dossiers,{s},200,").encode("latin-1"),
    "rejected", [file_rej("unreadable_file")], sector=s,
)  # fmt: skip

s = "enc_cp1252"
case(
    "VN-44/encoding/cp1252_smart_quotes.csv",
    lines("region,period,metric,sector,value,note",
          f"VN-44,2024-H1,online_dossiers,{s},100,“final” figures",
          f"VN-44,2024-H1,total_dossiers,{s},200,").encode("cp1252"),
    "rejected", [file_rej("unreadable_file")], sector=s,
)  # fmt: skip

s = "enc_shift_jis"
case(
    "VN-44/encoding/shift_jis.csv",
    lines("region,period,metric,sector,value,note",
          f"VN-44,2024-H2,online_dossiers,{s},100,東京事務所の報告",
          f"VN-44,2024-H2,total_dossiers,{s},200,備考なし").encode("shift_jis"),
    "rejected", [file_rej("unreadable_file")], sector=s,
)  # fmt: skip

s = "enc_stray_byte"
case(
    "VN-HN/encoding/utf8_stray_invalid_byte.csv",
    utf8(lines("region,period,metric,sector,value,note",
               f"Hà Nội,2023-Q1,online_dossiers,{s},100,Sở Nội vụ")).replace(utf8("Nội vụ"), b"N\xff" + utf8("ội vụ"))
    + utf8(f"Hà Nội,2023-Q1,total_dossiers,{s},200,\n"),
    "rejected", [file_rej("unreadable_file")], sector=s,
)  # fmt: skip

s = "enc_bom_stray_byte"
case(
    "VN-HN/encoding/utf8_bom_stray_invalid_byte.csv",
    utf8_bom(lines(H, f"Hà Nội,2023-Q2,online_dossiers,{s},100")) + b"VN-HN,2023-Q2,total_d\xc3\x28ossiers,"
    + utf8(f"{s},200\n"),
    "rejected", [file_rej("unreadable_file")], sector=s,
)  # fmt: skip

s = "enc_utf16le_no_bom"
case(
    "VN-HN/encoding/utf16le_without_bom.csv",
    lines(H, f"Hà Nội,2023-Q3,online_dossiers,{s},100",
          f"Hà Nội,2023-Q3,total_dossiers,{s},200").encode("utf-16-le"),
    "rejected", [file_rej("unreadable_file")], sector=s,
)  # fmt: skip

s = "enc_utf16be_no_bom"
case(
    "VN-HN/encoding/utf16be_without_bom.csv",
    lines(H, f"VN-HN,2023-Q4,online_dossiers,{s},100",
          f"VN-HN,2023-Q4,total_dossiers,{s},200").encode("utf-16-be"),
    "rejected", [file_rej("unreadable_file")], sector=s,
)  # fmt: skip

s = "enc_json_utf16le"
case(
    "VN-DN/encoding/utf16le.json",
    codecs.BOM_UTF16_LE + json.dumps(
        {"submitter": "VN-DN", "period": "2024-Q2",
         "observations": [obs("Đà Nẵng", "online_dossiers", 5100, sector=s),
                          obs("Da Nang", "total_dossiers", 6000, sector=s)]},
        ensure_ascii=False).encode("utf-16-le"),
    "accepted", published=[odr("VN-DN", "2024-Q2", s, 5100, 6000)], sector=s,
)  # fmt: skip

s = "enc_json_bom"
case(
    "VN-DN/encoding/utf8_bom.json",
    codecs.BOM_UTF8 + js({"submitter": "VN-DN", "period": "2024-Q3",
                          "observations": [obs("Đà Nẵng", "cashless_payments", 700, sector=s),
                                           obs("Đà Nẵng", "total_payments", 1400, sector=s)]}),
    "accepted", published=[cps("VN-DN", "2024-Q3", s, 700, 1400)], sector=s,
)  # fmt: skip

# =========================================================================================
family("delimiter")
# =========================================================================================

s = "delim_semicolon"
case(
    "VN-HN/delimiter/semicolon.csv",
    utf8(lines("region;period;metric;sector;value;unit",
               f"VN-HN;2023-H2;online_dossiers;{s};1.250.000;count",
               f"VN-HN;2023-H2;total_dossiers;{s};1.500.000;count",
               f"VN-HN;2023-H2;online_dossier_rate;{s};83,33;percent")),
    "accepted", published=[odr("VN-HN", "2023-H2", s, 1250000, 1500000)], sector=s,
)  # fmt: skip

s = "delim_tab"
case(
    "VN-HN/delimiter/tab.csv",
    utf8(lines("region\tperiod\tmetric\tsector\tvalue",
               f"Hà Nội\t2023-Q3\tcashless_payments\t{s}\t45,000",
               f"Hà Nội\t2023-Q3\ttotal_payments\t{s}\t60 000")),
    "accepted", published=[cps("VN-HN", "2023-Q3", s, 45000, 60000)], sector=s,
)  # fmt: skip

s = "delim_comma_quoted"
case(
    "VN-HN/delimiter/comma_quoted_crlf.csv",
    utf8(lines('"region","period","metric","sector","value","note"',
               f'"VN-HN","2023-Q2","online_dossiers","{s}","5,100","one-stop ""level 4"" desk, Ba Dinh"',
               f'"VN-HN","2023-Q2","total_dossiers","{s}","6,000",""', eol="\r\n")),
    "accepted", published=[odr("VN-HN", "2023-Q2", s, 5100, 6000)], sector=s,
)  # fmt: skip

s = "delim_semicolon_note"
case(
    "VN-HN/delimiter/semicolon_note_with_commas.csv",
    utf8(lines("region;period;metric;sector;value;note",
               f"VN-HN;2023-Q1;ehr_people;{s};6.100.000;quận, huyện, thị xã",
               f'VN-HN;2023-Q1;population;{s};8.400.000;"điều tra; ước tính"')),
    "accepted", published=[ehr("VN-HN", "2023-Q1", s, 6100000, 8400000)], sector=s,
)  # fmt: skip

s = "delim_multiline"
case(
    "VN-HN/delimiter/multiline_note.csv",
    utf8(lines("region,period,metric,sector,value,note",
               f'VN-HN,2022,online_dossiers,{s},3000,"first line',
               'second line of the same note"',
               f"VN-HN,2022,total_dossiers,{s},-4000,")),
    "partially_accepted", [rej(2, "negative_count")], sector=s,
)  # fmt: skip

s = "delim_blank_lines"
case(
    "VN-HN/delimiter/blank_lines.csv",
    utf8(lines(H, "", f"VN-HN,2022-Q1,online_dossiers,{s},100", "",
               f"VN-HN,2022-Q1,total_dossiers,{s},400", "", "")),
    "accepted", published=[odr("VN-HN", "2022-Q1", s, 100, 400)], sector=s,
)  # fmt: skip

s = "delim_any_order"
case(
    "VN-HN/delimiter/columns_in_any_order.csv",
    utf8(lines("Value , UNIT,Sector, Metric ,comment,Period,REGION",
               f"700,count,{s},online_dossiers,checked,2022-Q2,VN-HN",
               f"900,,{s},total_dossiers,,2022-Q2,VN-HN")),
    "accepted", published=[odr("VN-HN", "2022-Q2", s, 700, 900)], sector=s,
)  # fmt: skip

s = "delim_extra_cells"
case(  # README: more cells than the header (an unquoted 2,439) is unparseable_value
    "VN-HN/delimiter/more_cells_than_header.csv",
    utf8(lines(H, f"VN-HN,2022-Q3,online_dossiers,{s},2,439",
               f"VN-HN,2022-Q3,total_dossiers,{s},3000")),
    "partially_accepted", [rej(1, "unparseable_value")], sector=s,
)  # fmt: skip

s = "delim_fewer_cells"
case(
    "VN-HN/delimiter/fewer_cells_than_header.csv",
    utf8(lines("region,period,metric,sector,value,unit",
               f"VN-HN,2022-Q4,online_dossiers,{s}",
               f"VN-HN,2022-Q4,total_dossiers,{s},5000")),
    "partially_accepted", [rej(1, "missing_value")], sector=s,
)  # fmt: skip

# =========================================================================================
family("numbers")
# =========================================================================================

s = "num_comma_groups"
case(
    "VN-DN/numbers/comma_thousands_quoted.csv",
    utf8(lines(H, f'VN-DN,2024,online_dossiers,{s},"2,439"',
               f'VN-DN,2024,total_dossiers,{s},"1,234,567"')),
    "accepted", published=[odr("VN-DN", "2024", s, 2439, 1234567)], sector=s,
)  # fmt: skip

s = "num_space_groups"
case(
    "VN-DN/numbers/space_thousands.csv",
    utf8(lines(H, f"VN-DN,2024-H1,online_dossiers,{s},2 439",
               f"VN-DN,2024-H1,total_dossiers,{s},3\u00a0000",
               f"VN-DN,2024-H1,digitized_services,{s},1\u202f200")),
    "accepted", published=[odr("VN-DN", "2024-H1", s, 2439, 3000)], sector=s,
)  # fmt: skip

s = "num_dot_groups"
case(
    "VN-DN/numbers/semicolon_dot_thousands.csv",
    utf8(lines(HS, f"VN-DN;2023;online_dossiers;{s};2.439", f"VN-DN;2023;total_dossiers;{s};12.345")),
    "accepted", published=[odr("VN-DN", "2023", s, 2439, 12345)], sector=s,
)  # fmt: skip

s = "num_semicolon_2439"
case(  # `2,439` for a count in a semicolon file is ambiguous (README)
    "VN-DN/numbers/semicolon_comma_count_ambiguous.csv",
    utf8(lines(HS, f"VN-DN;2023-H1;online_dossiers;{s};2,439", f"VN-DN;2023-H1;total_dossiers;{s};3.000",
               f"VN-DN;2023-H1;online_dossier_rate;{s};81,3")),
    "partially_accepted", [rej(1, "unparseable_value")],
    [odr("VN-DN", "2023-H1", s, None, None)], sector=s,
)  # fmt: skip

s = "num_comma_12345"
case(  # `12.345` for a count in a comma file is ambiguous (README); several groups are not
    "VN-DN/numbers/comma_dot_count_ambiguous.csv",
    utf8(lines(H, f"VN-DN,2023-H2,online_dossiers,{s},12.345", f"VN-DN,2023-H2,total_dossiers,{s},20000",
               f"VN-DN,2023-H2,cashless_payments,{s},12.0",
               f"VN-DN,2023-H2,total_payments,{s},1.234.567")),
    "partially_accepted", [rej(1, "unparseable_value")],
    [cps("VN-DN", "2023-H2", s, 12, 1234567)], sector=s,
)  # fmt: skip

s = "num_rate_1234"
case(
    "VN-DN/numbers/rate_1_234_comma_file.csv",
    utf8(lines(H, f'VN-DN,2022,online_dossier_rate,{s},"1,234"',
               f"VN-DN,2022,cashless_payment_share,{s},1.234")),
    "partially_accepted", [rej(1, "unparseable_value")],
    [cps("VN-DN", "2022", s, None, None)], sector=s,
)  # fmt: skip

s = "num_rate_1234_sc"
case(
    "VN-DN/numbers/rate_1_234_semicolon_file.csv",
    utf8(lines(HS, f"VN-DN;2022-H1;ehr_coverage;{s};1,234",
               f"VN-DN;2022-H1;online_dossier_rate;{s};1,23")),
    "partially_accepted", [rej(1, "unparseable_value")],
    [odr("VN-DN", "2022-H1", s, None, None)], sector=s,
)  # fmt: skip

s = "num_rate_1234_unquoted"
case(
    "VN-DN/numbers/rate_1_234_unquoted.csv",
    utf8(lines(H, f"VN-DN,2022-Q4,online_dossier_rate,{s},1,234",
               f"VN-DN,2022-Q4,ehr_coverage,{s},12.5")),
    "partially_accepted", [rej(1, "unparseable_value")],
    [ehr("VN-DN", "2022-Q4", s, None, None)], sector=s,
)  # fmt: skip

s = "num_1234_5"
case(
    "VN-DN/numbers/semicolon_1.234,5.csv",
    utf8(lines(HS, f"VN-DN;2022-H2;online_dossiers;{s};1.234,5",
               f"VN-DN;2022-H2;online_dossier_rate;{s};1.234,5",
               f"VN-DN;2022-H2;total_dossiers;{s};2.000,0",
               f"VN-DN;2022-H2;population;{s};1.234.567,00")),
    "partially_accepted", [rej(1, "not_an_integer"), rej(2, "unparseable_value")], sector=s,
)  # fmt: skip

s = "num_decimal_comma"
case(
    "VN-DN/numbers/decimal_comma_in_comma_file.csv",
    utf8(lines(H, f'VN-DN,2022-Q1,online_dossier_rate,{s},"81,17"',
               f'VN-DN,2022-Q1,online_dossiers,{s},"2,5"',
               f"VN-DN,2022-Q1,cashless_payment_share,{s},81.17")),
    "partially_accepted", [rej(1, "unparseable_value"), rej(2, "unparseable_value")],
    [cps("VN-DN", "2022-Q1", s, None, None)], sector=s,
)  # fmt: skip

s = "num_sc_rate"
case(
    "VN-DN/numbers/semicolon_decimal_comma_rates.csv",
    utf8(lines("region;period;metric;sector;value;unit",
               f"VN-DN;2022-Q2;online_dossier_rate;{s};81,17;percent",
               f"VN-DN;2022-Q2;ehr_coverage;{s};0,8117;ratio")),
    "accepted",
    published=[odr("VN-DN", "2022-Q2", s, None, None), ehr("VN-DN", "2022-Q2", s, None, None)],
    sector=s,
)  # fmt: skip

s = "num_arabic"
case(
    "VN-DN/numbers/arabic_indic_digits.csv",
    utf8(lines(H, f"VN-DN,2022-Q3,online_dossiers,{s},٢٬٤٣٩", f"VN-DN,2022-Q3,total_dossiers,{s},٣٠٠٠",
               f"VN-DN,2022-Q3,online_dossier_rate,{s},٨١٫٣")),
    "accepted", published=[odr("VN-DN", "2022-Q3", s, 2439, 3000)], sector=s,
)  # fmt: skip

s = "num_ext_arabic"
case(
    "VN-DN/numbers/extended_arabic_indic_digits.csv",
    utf8(lines(H, f"VN-DN,2022-Q4,cashless_payments,{s},۲۴۳۹",
               f"VN-DN,2022-Q4,total_payments,{s},۳۰۰۰٫۰")),
    "accepted", published=[cps("VN-DN", "2022-Q4", s, 2439, 3000)], sector=s,
)  # fmt: skip

s = "num_percent"
case(
    "VN-DN/numbers/percent_suffix.csv",
    utf8(lines("region,period,metric,sector,value,unit",
               f"VN-DN,2021,online_dossier_rate,{s},81.3%,",
               f"VN-DN,2021,cashless_payment_share,{s},64.5 %,percent",
               f"VN-DN,2021,ehr_coverage,{s},77٪,",
               f"VN-DN,2021,online_dossiers,{s},100%,")),
    "partially_accepted", [rej(4, "unit_mismatch")],
    [odr("VN-DN", "2021", s, None, None), cps("VN-DN", "2021", s, None, None),
     ehr("VN-DN", "2021", s, None, None)], sector=s,
)  # fmt: skip

s = "num_ratio"
case(
    "VN-DN/numbers/ratio_unit.csv",
    utf8(lines("region,period,metric,sector,value,unit",
               f"VN-DN,2021-H1,online_dossiers,{s},2439,count",
               f"VN-DN,2021-H1,total_dossiers,{s},3000,count",
               f"VN-DN,2021-H1,online_dossier_rate,{s},0.813,ratio",
               f"VN-DN,2021-H1,cashless_payment_share,{s},1.2,ratio",
               f"VN-DN,2021-H1,ehr_coverage,{s},0.813%,ratio")),
    "partially_accepted", [rej(4, "percent_out_of_range"), rej(5, "unit_mismatch")],
    [odr("VN-DN", "2021-H1", s, 2439, 3000)], sector=s,
)  # fmt: skip

s = "num_nan"
case(
    "VN-DN/numbers/nan_inf_empty.csv",
    utf8(lines(H, f"VN-DN,2021-H2,online_dossiers,{s},NaN", f"VN-DN,2021-H2,total_dossiers,{s},inf",
               f"VN-DN,2021-H2,online_dossier_rate,{s},-Infinity",
               f"VN-DN,2021-H2,cashless_payments,{s},",
               f"VN-DN,2021-H2,total_payments,{s},   ",
               f"VN-DN,2021-H2,population,{s},1000")),
    "partially_accepted",
    [rej(1, "unparseable_value"), rej(2, "unparseable_value"), rej(3, "unparseable_value"),
     rej(4, "missing_value"), rej(5, "missing_value")], sector=s,
)  # fmt: skip

s = "num_count_forms"
case(
    "VN-DN/numbers/count_forms.csv",
    utf8(lines(H, f"VN-DN,2021-Q1,online_dossiers,{s},12.0", f"VN-DN,2021-Q1,total_dossiers,{s},+40",
               f"VN-DN,2021-Q1,digitized_services,{s},100.5",
               f"VN-DN,2021-Q1,cashless_payments,{s},-5",
               f"VN-DN,2021-Q1,total_payments,{s},\u22127",
               f'VN-DN,2021-Q1,ehr_people,{s},"2,439.5"',
               f'VN-DN,2021-Q1,population,{s},"2,439.0"')),
    "partially_accepted",
    [rej(3, "not_an_integer"), rej(4, "negative_count"), rej(5, "negative_count"),
     rej(6, "not_an_integer")],
    [odr("VN-DN", "2021-Q1", s, 12, 40)], sector=s,
)  # fmt: skip

s = "num_unrecognised"
case(
    "VN-DN/numbers/unrecognised_text.csv",
    utf8(lines(H, f"VN-DN,2021-Q2,online_dossiers,{s},about 500",
               f"VN-DN,2021-Q2,total_dossiers,{s},$900",
               f'VN-DN,2021-Q2,total_payments,{s},"24,39"',
               f"VN-DN,2021-Q2,digitized_services,{s},12")),
    "partially_accepted",
    [rej(1, "unparseable_value"), rej(2, "unparseable_value"), rej(3, "unparseable_value")],
    sector=s,
)  # fmt: skip

s = "num_zero"
case(
    "VN-DN/numbers/zero_counts.csv",
    utf8(lines(H, f"VN-DN,2021-Q3,online_dossiers,{s},0", f"VN-DN,2021-Q3,total_dossiers,{s},0",
               f"VN-DN,2021-Q4,online_dossiers,{s},0", f"VN-DN,2021-Q4,total_dossiers,{s},50")),
    "accepted", published=[odr("VN-DN", "2021-Q4", s, 0, 50)], sector=s,  # 0/0 has no rate
)  # fmt: skip

s = "num_json_strings"
case(
    "VN-DN/numbers/json_numbers_as_strings.json",
    js({"submitter": "VN-DN", "period": "2020",
        "observations": [obs("VN-DN", "online_dossiers", "2,439", sector=s),
                         obs("VN-DN", "total_dossiers", "3 000", sector=s),
                         obs("VN-DN", "online_dossier_rate", "81.3%", sector=s),
                         obs("VN-DN", "cashless_payments", "12.345", sector=s),
                         obs("VN-DN", "total_payments", "٣٠٠٠", sector=s)]}),
    "partially_accepted", [rej(4, "unparseable_value")],
    [odr("VN-DN", "2020", s, 2439, 3000)], sector=s,
)  # fmt: skip

s = "num_json_numbers"
case(
    "VN-DN/numbers/json_numbers.json",
    js({"submitter": "VN-DN", "period": "2020-H1",
        "observations": [obs("VN-DN", "online_dossiers", 2439, sector=s),
                         obs("VN-DN", "total_dossiers", 3000.0, sector=s),
                         obs("VN-DN", "online_dossier_rate", 81.3, sector=s),
                         obs("VN-DN", "cashless_payments", -1, sector=s),
                         obs("VN-DN", "total_payments", 12.5, sector=s),
                         obs("VN-DN", "ehr_people", True, sector=s),
                         obs("VN-DN", "population", "NaN", sector=s)]}),
    "partially_accepted",
    [rej(4, "negative_count"), rej(5, "not_an_integer"), rej(6, "unparseable_value"),
     rej(7, "unparseable_value")],
    [odr("VN-DN", "2020-H1", s, 2439, 3000)], sector=s,
)  # fmt: skip

# =========================================================================================
family("periods")
# =========================================================================================

s = "period_spellings"
case(
    "VN-HN/periods/quarter_and_half_spellings.csv",
    utf8(lines(H, f"VN-HN,Q2 2024,online_dossiers,{s},100", f"VN-HN,2024-Q2,total_dossiers,{s},200",
               f"VN-HN,2024 Q3,online_dossiers,{s},110", f"VN-HN,2024-Q3,total_dossiers,{s},220",
               f"VN-HN,H1 2023,online_dossiers,{s},120", f"VN-HN,2023-H1,total_dossiers,{s},240",
               f"VN-HN,2022,online_dossiers,{s},130", f"VN-HN, 2022 ,total_dossiers,{s},260")),
    "accepted",
    published=[odr("VN-HN", "2024-Q2", s, 100, 200), odr("VN-HN", "2024-Q3", s, 110, 220),
               odr("VN-HN", "2023-H1", s, 120, 240), odr("VN-HN", "2022", s, 130, 260)],
    sector=s,
)  # fmt: skip

s = "period_months"
case(
    "VN-HN/periods/month_spellings.csv",
    utf8(lines(HS, f"VN-HN;03/2024;online_dossiers;{s};100", f"VN-HN;2024-03;total_dossiers;{s};200",
               f"VN-HN;2024/04;online_dossiers;{s};110", f"VN-HN;2024-04;total_dossiers;{s};220",
               f"VN-HN;12/2023;online_dossiers;{s};120", f"VN-HN;2023/12;total_dossiers;{s};240")),
    "accepted",
    published=[odr("VN-HN", "2024-03", s, 100, 200), odr("VN-HN", "2024-04", s, 110, 220),
               odr("VN-HN", "2023-12", s, 120, 240)],
    sector=s,
)  # fmt: skip

s = "period_impossible"
case(
    "VN-HN/periods/impossible.csv",
    utf8(lines(H, f"VN-HN,2024-13,online_dossiers,{s},1", f"VN-HN,2024-Q5,online_dossiers,{s},2",
               f"VN-HN,2024-H0,online_dossiers,{s},3", f"VN-HN,2024-00,online_dossiers,{s},4",
               f"VN-HN,13/2024,online_dossiers,{s},5", f"VN-HN,2024-Q0,online_dossiers,{s},6",
               f"VN-HN,2024-H3,online_dossiers,{s},7", f"VN-HN,,online_dossiers,{s},8",
               f"VN-HN,Q1,online_dossiers,{s},9", f"VN-HN,2024-W05,online_dossiers,{s},10",
               f"VN-HN,2024,online_dossiers,{s},11", f"VN-HN,2024,total_dossiers,{s},22")),
    "partially_accepted", [rej(n, "bad_period") for n in range(1, 11)],
    [odr("VN-HN", "2024", s, 11, 22)], sector=s,
)  # fmt: skip

s = "period_future"
case(
    "VN-HN/periods/future.csv",
    utf8(lines(H, f"VN-HN,2099,online_dossiers,{s},1", f"VN-HN,2050-Q1,total_dossiers,{s},2",
               f"VN-HN,12/2099,online_dossiers,{s},3", f"VN-HN,H2 2080,online_dossiers,{s},4",
               f"VN-HN,2025-Q4,online_dossiers,{s},30", f"VN-HN,2025-Q4,total_dossiers,{s},60")),
    "partially_accepted", [rej(n, "future_period") for n in range(1, 5)],
    [odr("VN-HN", "2025-Q4", s, 30, 60)], sector=s,
)  # fmt: skip

s = "period_future_all"
case(
    "VN-HN/periods/future_only.json",
    js({"submitter": "VN-HN", "period": "2090-H1",
        "observations": [obs("VN-HN", "online_dossiers", 5, sector=s),
                         obs("VN-HN", "total_dossiers", 9, sector=s)]}),
    "rejected", [rej(1, "future_period"), rej(2, "future_period")], sector=s,
)  # fmt: skip

s = "period_json_default"
case(  # the top-level period is the default; an observation's own period (or null) overrides it
    "VN-HN/periods/json_top_level_default.json",
    js({"submitter": "VN-HN", "period": "2022-H1", "submitted_at": "2022-07-10T09:00:00+07:00",
        "observations": [obs("VN-HN", "online_dossiers", 310, sector=s),
                         obs("VN-HN", "total_dossiers", 400, sector=s),
                         obs("VN-HN", "online_dossiers", 330, sector=s, period="2022-H2"),
                         obs("VN-HN", "digitized_services", 55, sector=s, period=None),
                         obs("VN-HN", "total_dossiers", 440, sector=s, period="H2 2022")]}),
    "accepted",
    published=[odr("VN-HN", "2022-H1", s, 310, 400), odr("VN-HN", "2022-H2", s, 330, 440)],
    sector=s,
)  # fmt: skip

s = "period_json_number"
case(
    "VN-HN/periods/json_period_as_number.json",
    js([obs("VN-HN", "cashless_payments", 100, sector=s, period=2021),
        obs("VN-HN", "total_payments", 250, sector=s, period="2021")]),
    "accepted", published=[cps("VN-HN", "2021", s, 100, 250)], sector=s,
)  # fmt: skip

# =========================================================================================
family("regions")
# =========================================================================================

s = "region_nfc"
case(
    "VN-36/regions/nfc.csv",
    utf8(lines(H, f"Ninh Thuận,2024-Q1,online_dossiers,{s},510", f"Ninh Thuận,2024-Q1,total_dossiers,{s},700")),
    "accepted", published=[odr("VN-36", "2024-Q1", s, 510, 700)], sector=s,
)  # fmt: skip

s = "region_nfd"
case(
    "VN-36/regions/nfd.csv",
    utf8(lines(H, f"{nfd('Ninh Thuận')},2024-Q2,online_dossiers,{s},520",
               f"{nfd('Ninh Thuận')},2024-Q2,total_dossiers,{s},700")),
    "accepted", published=[odr("VN-36", "2024-Q2", s, 520, 700)], sector=s,
)  # fmt: skip

s = "region_spaces_case"
case(
    "VN-36/regions/stray_spaces_and_case.csv",
    utf8(lines(H, f"  NINH   THUẬN  ,2024-Q3,online_dossiers,{s},530",
               f"ninh thuan,2024-Q3,total_dossiers,{s},700",
               f"Ninh\u00a0Thuận,2024-Q3,digitized_services,{s},88")),
    "accepted", published=[odr("VN-36", "2024-Q3", s, 530, 700)], sector=s,
)  # fmt: skip

s = "region_province_word"
case(
    "VN-36/regions/province_word.csv",
    utf8(lines(H, f"Tỉnh Ninh Thuận,2024-Q4,online_dossiers,{s},540",
               f"Ninh Thuan province,2024-Q4,total_dossiers,{s},700")),
    "accepted", published=[odr("VN-36", "2024-Q4", s, 540, 700)], sector=s,
)  # fmt: skip

s = "region_hyphen"
case(
    "VN-43/regions/hyphen_dash_space.csv",
    utf8(lines(H, f"Bà Rịa–Vũng Tàu,2024,online_dossiers,{s},900",
               f"Ba Ria - Vung Tau,2024,total_dossiers,{s},1200",
               f"Ba-Ria Vung-Tau,2024,digitized_services,{s},300")),
    "accepted", published=[odr("VN-43", "2024", s, 900, 1200)], sector=s,
)  # fmt: skip

s = "region_lookalike"
case(  # Latin names typed with Cyrillic а and о
    "VN-HN/regions/cyrillic_lookalike_letters.csv",
    utf8(lines(H, f"H\u0430noi,2021-Q1,online_dossiers,{s},410",
               f"H\u0430 N\u043ei,2021-Q1,total_dossiers,{s},500")),
    "accepted", published=[odr("VN-HN", "2021-Q1", s, 410, 500)], sector=s,
)  # fmt: skip

s = "region_city_word"
case(
    "VN-HN/regions/city_word.csv",
    utf8(lines(H, f"Thành phố Hà Nội,2021-Q2,online_dossiers,{s},420",
               f"TP. Hà Nội,2021-Q2,total_dossiers,{s},500")),
    "accepted", published=[odr("VN-HN", "2021-Q2", s, 420, 500)], sector=s,
)  # fmt: skip

s = "region_codes"
case(
    "VN-HN/regions/codes_spelled.csv",
    utf8(lines(H, f"vn-hn,2021-Q3,online_dossiers,{s},430", f" VN_HN ,2021-Q3,total_dossiers,{s},500",
               f"VN HN,2021-Q3,online_dossier_rate,{s},86")),
    "accepted", published=[odr("VN-HN", "2021-Q3", s, 430, 500)], sector=s,
)  # fmt: skip

s = "region_uz_latin"
case(
    "UZ-FA/regions/uzbek_latin_okina.csv",
    utf8(lines(H, f"Fargʻona,2024,online_dossiers,{s},3100", f"Farg'ona,2024,total_dossiers,{s},4000",
               f"Farg‘ona,2024,online_dossier_rate,{s},77.5")),
    "accepted", published=[odr("UZ-FA", "2024", s, 3100, 4000)], sector=s,
)  # fmt: skip

s = "region_uz_cyrillic"
case(
    "UZ/regions/uzbek_and_russian_cyrillic.csv",
    utf8(lines(H, f"Фарғона,2024-H2,online_dossiers,{s},3200",
               f"Ферганская область,2024-H2,total_dossiers,{s},4000",
               f"Қашқадарё,2024-H2,cashless_payments,{s},900",
               f"Кашкадарьинская область,2024-H2,total_payments,{s},1000",
               f"Oʻzbekiston,2024-H2,digitized_services,{s},310")),
    "accepted",
    published=[odr("UZ-FA", "2024-H2", s, 3200, 4000), cps("UZ-QA", "2024-H2", s, 900, 1000)],
    sector=s,
)  # fmt: skip

s = "region_karakalpak"
case(
    "UZ-QR/regions/karakalpakstan.csv",
    utf8(lines(H, f"Qoraqalpogʻiston,2023,ehr_people,{s},1500000",
               f"Қорақалпоғистон,2023,population,{s},1950000",
               f"Республика Каракалпакстан,2023,ehr_coverage,{s},76.9")),
    "accepted", published=[ehr("UZ-QR", "2023", s, 1500000, 1950000)], sector=s,
)  # fmt: skip

s = "region_mn_cyrillic"
case(
    "MN/regions/mongolian_cyrillic_and_latin.csv",
    utf8(lines(H, f"Хөвсгөл,2023-H1,ehr_people,{s},98000", f"Khövsgöl,2023-H1,population,{s},135000",
               f"Өмнөговь,2023-H1,online_dossiers,{s},4000", f"Omnogovi,2023-H1,total_dossiers,{s},5000")),
    "accepted",
    published=[ehr("MN-041", "2023-H1", s, 98000, 135000), odr("MN-053", "2023-H1", s, 4000, 5000)],
    sector=s,
)  # fmt: skip

s = "region_mn_aimag"
case(
    "MN/regions/aimag_word.csv",
    utf8(lines(H, f"Архангай аймаг,2023-H2,cashless_payments,{s},7000",
               f"Arkhangai aimag,2023-H2,total_payments,{s},9000")),
    "accepted", published=[cps("MN-073", "2023-H2", s, 7000, 9000)], sector=s,
)  # fmt: skip

s = "region_mn_darkhan"
case(
    "MN-037/regions/darkhan_spellings.csv",
    utf8(lines(H, f"Дархан уул,2022,online_dossiers,{s},2100", f"Darkhan-Uul,2022,total_dossiers,{s},3000")),
    "accepted", published=[odr("MN-037", "2022", s, 2100, 3000)], sector=s,
)  # fmt: skip

s = "region_unknown"
case(
    "VN-HN/regions/unknown.csv",
    utf8(lines(H, f"Atlantis,2020,online_dossiers,{s},1", f"Ha Noj,2020,online_dossiers,{s},2",
               f",2020,online_dossiers,{s},3", f"VN-99,2020,online_dossiers,{s},4",
               f"Hà Nội,2020,online_dossiers,{s},60", f"Hà Nội,2020,total_dossiers,{s},80")),
    "partially_accepted", [rej(n, "unknown_region") for n in range(1, 5)],
    [odr("VN-HN", "2020", s, 60, 80)], sector=s,
)  # fmt: skip

s = "region_not_owned"
case(
    "VN-HN/regions/other_provinces.csv",
    utf8(lines(H, f"VN-SG,2020-H1,online_dossiers,{s},1", f"Saigon,2020-H1,total_dossiers,{s},2",
               f"Đà Nẵng,2020-H1,online_dossiers,{s},3", f"Viet Nam,2020-H1,online_dossiers,{s},4",
               f"Дархан-Уул,2020-H1,online_dossiers,{s},5",
               f"VN-HN,2020-H1,online_dossiers,{s},60", f"VN-HN,2020-H1,total_dossiers,{s},80")),
    "partially_accepted", [rej(n, "region_not_owned") for n in range(1, 6)],
    [odr("VN-HN", "2020-H1", s, 60, 80)], sector=s,
)  # fmt: skip

s = "region_mn_ministry"
case(  # a national ministry (folder MN) reports its aimags and the country
    "MN/regions/ministry_reports_aimags.json",
    js({"submitter": "MN", "period": "2024-Q3",
        "observations": [obs("Орхон", "online_dossiers", 1200, sector=s),
                         obs("Orkhon", "total_dossiers", 1500, sector=s),
                         obs("Өмнөговь", "ehr_people", 50000, sector=s),
                         obs("MN-053", "population", 70000, sector=s),
                         obs("Монгол Улс", "cashless_payments", 800000, sector=s),
                         obs("MN", "total_payments", 1000000, sector=s)]}),
    "accepted",
    published=[odr("MN-035", "2024-Q3", s, 1200, 1500), ehr("MN-053", "2024-Q3", s, 50000, 70000),
               cps("MN", "2024-Q3", s, 800000, 1000000)],
    sector=s,
)  # fmt: skip

s = "region_aimag_other"
case(
    "MN-035/regions/aimag_reports_country_and_neighbour.csv",
    utf8(lines(H, f"Монгол Улс,2024-Q4,online_dossiers,{s},9", f"Дархан-Уул,2024-Q4,total_dossiers,{s},9",
               f"Орхон,2024-Q4,online_dossiers,{s},1300", f"Орхон,2024-Q4,total_dossiers,{s},1600")),
    "partially_accepted", [rej(1, "region_not_owned"), rej(2, "region_not_owned")],
    [odr("MN-035", "2024-Q4", s, 1300, 1600)], sector=s,
)  # fmt: skip

s = "region_vn_ministry"
case(
    "VN/regions/ministry_reports_provinces.csv",
    utf8(lines(H, f"Đà Nẵng,2024-Q1,online_dossiers,{s},2200", f"VN-DN,2024-Q1,total_dossiers,{s},2500",
               f"Cần Thơ,2024-Q1,cashless_payments,{s},300", f"Can Tho,2024-Q1,total_payments,{s},600",
               f"Samarqand,2024-Q1,online_dossiers,{s},1")),
    "partially_accepted", [rej(5, "region_not_owned")],
    [odr("VN-DN", "2024-Q1", s, 2200, 2500), cps("VN-CT", "2024-Q1", s, 300, 600)], sector=s,
)  # fmt: skip

s = "region_uz_other"
case(
    "UZ-SA/regions/other_region.csv",
    utf8(lines(H, f"Buxoro,2022-H1,online_dossiers,{s},5", f"Samarqand,2022-H1,online_dossiers,{s},640",
               f"Самарқанд,2022-H1,total_dossiers,{s},800")),
    "partially_accepted", [rej(1, "region_not_owned")],
    [odr("UZ-SA", "2022-H1", s, 640, 800)], sector=s,
)  # fmt: skip

s = "region_lower_folder"
case(
    "vn-hn/regions/lowercase_folder.csv",
    utf8(lines(H, f"Hà Nội,2021-Q4,online_dossiers,{s},440", f"VN-HN,2021-Q4,total_dossiers,{s},500",
               f"VN-SG,2021-Q4,total_dossiers,{s},500")),
    "partially_accepted", [rej(3, "region_not_owned")],
    [odr("VN-HN", "2021-Q4", s, 440, 500)], sector=s,
)  # fmt: skip

s = "region_folder_name"
case(  # README: a folder that is not a region code is submitter_mismatch
    "Hanoi/regions/folder_named_by_name.csv",
    utf8(lines(H, f"Hà Nội,2021,online_dossiers,{s},1", f"Hà Nội,2021,total_dossiers,{s},2")),
    "rejected", [file_rej("submitter_mismatch")], sector=s,
)  # fmt: skip

s = "region_unknown_folder"
case(
    "XX-99/unknown_folder.csv",
    utf8(lines(H, f"VN-HN,2021,online_dossiers,{s},1", f"VN-HN,2021,total_dossiers,{s},2")),
    "rejected", [file_rej("submitter_mismatch")], sector=s,
)  # fmt: skip

s = "region_loose_root"
case(  # README: a file outside any submitter folder is submitter_mismatch
    "loose_in_root.csv",
    utf8(lines(H, f"VN-HN,2021,online_dossiers,{s},1", f"VN-HN,2021,total_dossiers,{s},2")),
    "rejected", [file_rej("submitter_mismatch")], sector=s,
)  # fmt: skip

# =========================================================================================
family("merger_2025")
# =========================================================================================

s = "merger_old_code"
case(  # VN-34 ceased on 2025-06-30
    "VN-34/merger_2025/old_code_after_merger.csv",
    utf8(lines(H, f"VN-34,2025-Q3,online_dossiers,{s},100", f"VN-34,2025-Q2,online_dossiers,{s},200",
               f"VN-34,2025-Q2,total_dossiers,{s},400", f"VN-34,2025-07,total_dossiers,{s},100",
               f"VN-34,2025-H2,cashless_payments,{s},1")),
    "partially_accepted",
    [rej(1, "region_not_valid_in_period"), rej(4, "region_not_valid_in_period"),
     rej(5, "region_not_valid_in_period")],
    [odr("VN-34", "2025-Q2", s, 200, 400)], sector=s,
)  # fmt: skip

s = "merger_new_code"
case(  # VN-25-34 began on 2025-07-01
    "VN-25-34/merger_2025/new_code_before_merger.csv",
    utf8(lines(H, f"VN-25-34,2025-Q2,online_dossiers,{s},100", f"VN-25-34,2025-06,total_dossiers,{s},100",
               f"VN-25-34,2025-Q3,online_dossiers,{s},300", f"VN-25-34,2025-Q3,total_dossiers,{s},600",
               f"VN-25-34,2024,digitized_services,{s},40")),
    "partially_accepted",
    [rej(1, "region_not_valid_in_period"), rej(2, "region_not_valid_in_period"),
     rej(5, "region_not_valid_in_period")],
    [odr("VN-25-34", "2025-Q3", s, 300, 600)], sector=s,
)  # fmt: skip

s = "merger_ambiguous"
case(  # README: a name ambiguous for the period (2025 as a whole) asks for the code
    "VN-34/merger_2025/ambiguous_name_2025.csv",
    utf8(lines(H, f"Khánh Hòa,2025,online_dossiers,{s},100", f"Khanh Hoa,2025,total_dossiers,{s},200",
               f"VN-34,2025,online_dossiers,{s},500", f"VN-34,2025,total_dossiers,{s},1000")),
    "partially_accepted", [rej(1, "unknown_region"), rej(2, "unknown_region")],
    [odr("VN-34", "2025", s, 500, 1000)], sector=s,
)  # fmt: skip

s = "merger_name_by_period"
case(
    "VN/merger_2025/name_resolves_by_period.csv",
    utf8(lines(H, f"Khánh Hòa,2025-Q2,online_dossiers,{s},210", f"Khánh Hòa,2025-Q2,total_dossiers,{s},300",
               f"Khánh Hòa,2025-Q4,online_dossiers,{s},420", f"Khanh Hoa,2025-Q4,total_dossiers,{s},600",
               f"Lào Cai,2024-12,cashless_payments,{s},30", f"Lao Cai,2024-12,total_payments,{s},60",
               f"Lào Cai,2025,cashless_payments,{s},1")),
    "partially_accepted", [rej(7, "unknown_region")],
    [odr("VN-34", "2025-Q2", s, 210, 300), odr("VN-25-34", "2025-Q4", s, 420, 600),
     cps("VN-02", "2024-12", s, 30, 60)], sector=s,
)  # fmt: skip

s = "merger_old_folder"
case(  # after the merger the name means VN-25-34, which VN-34 does not own
    "VN-34/merger_2025/old_folder_after_merger.csv",
    utf8(lines(H, f"Khánh Hòa,2025-Q3,online_dossiers,{s},100",
               f"Khánh Hòa,2025-H1,online_dossiers,{s},230", f"Khánh Hòa,2025-H1,total_dossiers,{s},300")),
    "partially_accepted", [rej(1, "region_not_owned")],
    [odr("VN-34", "2025-H1", s, 230, 300)], sector=s,
)  # fmt: skip

s = "merger_merged_away"
case(
    "VN-36/merger_2025/merged_away.json",
    js({"submitter": "VN-36", "period": "2025-H2",
        "observations": [obs("Ninh Thuận", "online_dossiers", 5, sector=s),
                         obs("VN-36", "total_dossiers", 9, sector=s),
                         obs("VN-36", "online_dossiers", 250, sector=s, period="2025-H1"),
                         obs("Ninh Thuan", "total_dossiers", 500, sector=s, period="2025-H1")]}),
    "partially_accepted",
    [rej(1, "region_not_valid_in_period"), rej(2, "region_not_valid_in_period")],
    [odr("VN-36", "2025-H1", s, 250, 500)], sector=s,
)  # fmt: skip

s = "merger_new_year"
case(
    "VN-25-34/merger_2025/new_code_year_2025.csv",
    utf8(lines(H, f"VN-25-34,2025,online_dossiers,{s},700", f"VN-25-34,2025,total_dossiers,{s},1000",
               f"Khánh Hòa,2025-H2,online_dossiers,{s},350", f"Khanh Hoa,2025-H2,total_dossiers,{s},500")),
    "accepted",
    published=[odr("VN-25-34", "2025", s, 700, 1000), odr("VN-25-34", "2025-H2", s, 350, 500)],
    sector=s,
)  # fmt: skip

s = "merger_hcm_new"
case(
    "VN-25-SG/merger_2025/hcm_after_merger.csv",
    utf8(lines(H, f"TP.HCM,2025-H2,online_dossiers,{s},9000", f"Saigon,2025-H2,total_dossiers,{s},10000",
               f"TP.HCM,2025-Q1,online_dossiers,{s},1")),
    "partially_accepted", [rej(3, "region_not_owned")],
    [odr("VN-25-SG", "2025-H2", s, 9000, 10000)], sector=s,
)  # fmt: skip

s = "merger_hcm_old"
case(
    "VN-SG/merger_2025/old_province_after_merger.csv",
    utf8(lines(H, f"VN-SG,2025-Q4,online_dossiers,{s},1", f"TP.HCM,2025-Q4,total_dossiers,{s},2",
               f"VN-SG,2025-Q1,online_dossiers,{s},8000", f"TP.HCM,2025-Q1,total_dossiers,{s},9000")),
    "partially_accepted", [rej(1, "region_not_valid_in_period"), rej(2, "region_not_owned")],
    [odr("VN-SG", "2025-Q1", s, 8000, 9000)], sector=s,
)  # fmt: skip

# =========================================================================================
family("json")
# =========================================================================================

s = "json_full"
case(
    "VN-DN/json/full_object.json",
    js({"submitter": "VN-DN", "period": "2024-H1", "submitted_at": "2024-07-05T10:00:00+07:00",
        "observations": [obs("VN-DN", "online_dossiers", 64936, sector=s, unit="count"),
                         obs("VN-DN", "total_dossiers", 80000, sector=s, unit="count"),
                         obs("VN-DN", "online_dossier_rate", 81.17, sector=s, unit="percent",
                             note="as published on the portal")]}),
    "accepted", published=[odr("VN-DN", "2024-H1", s, 64936, 80000)], sector=s,
)  # fmt: skip

s = "json_bare"
case(
    "VN-DN/json/bare_array.json",
    js([obs("VN-DN", "cashless_payments", 4000, sector=s, period="2024-H2"),
        obs("Đà Nẵng", "total_payments", 5000, sector=s, period="2024-H2")]),
    "accepted", published=[cps("VN-DN", "2024-H2", s, 4000, 5000)], sector=s,
)  # fmt: skip

s = "json_nulls"
case(
    "VN-DN/json/null_values.json",
    js({"submitter": "VN-DN",
        "observations": [obs("VN-DN", "online_dossiers", None, sector=s, period="2023"),
                         obs(None, "total_dossiers", 5, sector=s, period="2023"),
                         obs("VN-DN", None, 5, sector=s, period="2023"),
                         obs("VN-DN", "total_dossiers", 5, sector=s, period=None),
                         obs("VN-DN", "online_dossiers", 10, sector=s, period="2023", unit=None,
                             note=None),
                         obs("VN-DN", "total_dossiers", 20, sector=s, period="2023")]}),
    "partially_accepted",
    [rej(1, "missing_value"), rej(2, "unknown_region"), rej(3, "unknown_metric"),
     rej(4, "bad_period")],
    [odr("VN-DN", "2023", s, 10, 20)], sector=s,
)  # fmt: skip

s = "json_wrong_types"
case(
    "VN-DN/json/nested_wrong_types.json",
    js({"submitter": "VN-DN", "period": "2023-H1",
        "observations": [obs(["VN-DN"], "online_dossiers", 5, sector=s),
                         obs("VN-DN", "online_dossiers", 5, sector=s, period={"year": 2023}),
                         obs("VN-DN", ["online_dossiers"], 5, sector=s),
                         obs("VN-DN", "online_dossiers", {"amount": 5}, sector=s),
                         obs("VN-DN", "online_dossiers", [5], sector=s),
                         obs("VN-DN", "online_dossiers", False, sector=s),
                         obs("VN-DN", "online_dossiers", 70, sector=s),
                         obs("VN-DN", "total_dossiers", 90, sector=s)]}),
    "partially_accepted",
    [rej(1, "unknown_region"), rej(2, "bad_period"), rej(3, "unknown_metric"),
     rej(4, "unparseable_value"), rej(5, "unparseable_value"), rej(6, "unparseable_value")],
    [odr("VN-DN", "2023-H1", s, 70, 90)], sector=s,
)  # fmt: skip

s = "json_dup_keys"
case(  # an observation repeating a key with another value cannot be read unambiguously
    "VN-DN/json/duplicate_keys_in_observation.json",
    utf8('{"submitter": "VN-DN", "period": "2023-Q1", "observations": [\n'
         f' {{"region": "VN-DN", "metric": "online_dossiers", "sector": "{s}", "value": 5, "value": 6}},\n'
         f' {{"region": "VN-DN", "metric": "online_dossiers", "sector": "{s}", "value": 7, "value": 7}},\n'
         f' {{"region": "VN-DN", "metric": "total_dossiers", "sector": "{s}", "value": 70}}\n'
         "]}\n"),
    "partially_accepted", [rej(1, "unparseable_value")],
    [odr("VN-DN", "2023-Q1", s, 7, 70)], sector=s,
)  # fmt: skip

s = "json_dup_top_keys"
case(
    "VN-DN/json/duplicate_top_level_keys.json",
    utf8('{"submitter": "VN-DN", "period": "2023-Q2", "period": "2023-Q3", "observations": [\n'
         f' {{"region": "VN-DN", "metric": "online_dossiers", "sector": "{s}", "value": 5}}\n'
         "]}\n"),
    "rejected", [file_rej("unreadable_file")], sector=s,
)  # fmt: skip

s = "json_no_observations"
case(
    "VN-DN/json/missing_observations_key.json",
    js({"submitter": "VN-DN", "period": "2023-Q3",
        "data": [obs("VN-DN", "online_dossiers", 5, sector=s)]}),
    "rejected", [file_rej("missing_columns")], sector=s,
)  # fmt: skip

s = "json_submitter_mismatch"
case(
    "VN-DN/json/declares_other_submitter.json",
    js({"submitter": "VN-HN", "period": "2023-Q4",
        "observations": [obs("VN-DN", "online_dossiers", 5, sector=s),
                         obs("VN-DN", "total_dossiers", 6, sector=s)]}),
    "rejected", [file_rej("submitter_mismatch")], sector=s,
)  # fmt: skip

s = "json_submitter_case"
case(
    "VN-DN/json/declares_own_code_lowercase.json",
    js({"submitter": "vn-dn", "period": "2022-Q1",
        "observations": [obs("VN-DN", "ehr_people", 800000, sector=s),
                         obs("VN-DN", "population", 1200000, sector=s)]}),
    "accepted", published=[ehr("VN-DN", "2022-Q1", s, 800000, 1200000)], sector=s,
)  # fmt: skip

s = "json_empty_obs"
case(
    "VN-DN/json/empty_observations.json",
    js({"submitter": "VN-DN", "period": "2022-Q2", "note": s, "observations": []}),
    "rejected", [file_rej("empty_file")], sector=s,
)  # fmt: skip

case("VN-DN/json/empty_array.json", b"[]\n", "rejected", [file_rej("empty_file")])
case("VN-DN/json/scalar.json", b"42\n", "rejected", [file_rej("unreadable_file")])

s = "json_obs_object"
case(
    "VN-DN/json/observations_is_an_object.json",
    js({"submitter": "VN-DN", "period": "2022-Q3",
        "observations": {"first": obs("VN-DN", "online_dossiers", 5, sector=s)}}),
    "rejected", [file_rej("unreadable_file")], sector=s,
)  # fmt: skip

s = "json_non_object_items"
case(
    "VN-DN/json/non_object_items.json",
    js([obs("VN-DN", "online_dossiers", 150, sector=s, period="2022-Q4"), 42, "VN-DN,2022-Q4",
        obs("VN-DN", "total_dossiers", 300, sector=s, period="2022-Q4")]),
    "partially_accepted", [rej(2, "unparseable_value"), rej(3, "unparseable_value")],
    [odr("VN-DN", "2022-Q4", s, 150, 300)], sector=s,
)  # fmt: skip

s = "json_nan_literal"
case(  # NaN is not JSON: the file cannot be parsed
    "VN-DN/json/nan_literal.json",
    utf8('{"submitter": "VN-DN", "period": "2021", "observations": [\n'
         f' {{"region": "VN-DN", "metric": "online_dossiers", "sector": "{s}", "value": NaN}}\n'
         "]}\n"),
    "rejected", [file_rej("unreadable_file")], sector=s,
)  # fmt: skip

s = "json_bad_submitted_at"
case(
    "VN-DN/json/submitted_at_not_iso.json",
    js({"submitter": "VN-DN", "period": "2021-H1", "submitted_at": "last Tuesday",
        "observations": [obs("VN-DN", "cashless_payments", 60, sector=s),
                         obs("VN-DN", "total_payments", 80, sector=s)]}),
    "accepted", published=[cps("VN-DN", "2021-H1", s, 60, 80)], sector=s,
)  # fmt: skip

s = "json_extra_fields"
case(
    "VN-DN/json/extra_fields.JSON",
    js({"submitter": "VN-DN", "period": "2021-H2", "source": "one-stop portal", "version": 3,
        "observations": [obs("VN-DN", "online_dossiers", 90, sector=s, comment="ok", id=1),
                         obs("VN-DN", "total_dossiers", 100, sector=s, comment="ok", id=2)]}),
    "accepted", published=[odr("VN-DN", "2021-H2", s, 90, 100)], sector=s,
)  # fmt: skip

BULK_OBSERVATIONS = 100_000
_bulk = []
for _i in range(BULK_OBSERVATIONS // 2):
    _sector = f"bulk_{_i:05d}"
    _bulk.append(
        {"region": "VN-HN", "metric": "online_dossiers", "sector": _sector, "value": _i % 997}
    )
    _bulk.append({"region": "VN-HN", "metric": "total_dossiers", "sector": _sector, "value": 1000})
case(
    "VN-HN/json/bulk_100000_observations.json",
    js({"submitter": "VN-HN", "period": "2020-Q1", "observations": _bulk}, indent=None),
    "accepted",
    published=[odr("VN-HN", "2020-Q1", f"bulk_{i:05d}", i % 997, 1000) for i in (0, 1, 996, 997, 49999)],
)  # fmt: skip
del _bulk

# =========================================================================================
family("truncation")
# =========================================================================================

s = "trunc_mid_row"
case(
    "VN-HN/truncation/csv_cut_mid_row.csv",
    utf8(lines(H, f"VN-HN,2021-H1,online_dossiers,{s},150", f"VN-HN,2021-H1,total_dossiers,{s},300")
         + "VN-HN,2021-H1,cashless_paym"),
    "partially_accepted", [rej(3, "unknown_metric"), rej(3, "missing_value")],
    [odr("VN-HN", "2021-H1", s, 150, 300)], sector=s,
)  # fmt: skip

s = "trunc_mid_quoted"
case(
    "VN-HN/truncation/csv_cut_mid_quoted_field.csv",
    utf8(lines("region,period,metric,sector,value,note", f'VN-HN,2021-H2,online_dossiers,{s},150,"ok"')
         + f'VN-HN,2021-H2,total_dossiers,{s},300,"Báo cáo quý, đang'),
    "rejected", [file_rej("unreadable_file")], sector=s,
)  # fmt: skip

case(
    "VN-HN/truncation/csv_cut_mid_header.csv", utf8("region,period,met"),
    "rejected", [file_rej("missing_columns")],
)  # fmt: skip

s = "trunc_json"
_doc = js({"submitter": "VN-HN", "period": "2020-H2",
           "observations": [obs("VN-HN", "online_dossiers", 150, sector=s),
                            obs("VN-HN", "total_dossiers", 300, sector=s)]}).rstrip()  # fmt: skip
assert _doc.endswith(b"}")
for _name, _cut in [
    ("after_open_brace", _doc[:1]),
    ("mid_string", _doc[: _doc.index(b"online_dos")]),
    ("mid_array", _doc[: _doc.index(b"},") + 2]),
    ("before_final_brace", _doc[:-1]),
]:
    case(f"VN-HN/truncation/json_cut_{_name}.json", _cut, "rejected",
         [file_rej("unreadable_file")], sector=s)  # fmt: skip

s = "trunc_utf16"
case(  # UTF-16 cut after an odd number of bytes
    "VN-HN/truncation/utf16_cut_mid_character.csv",
    utf16le(lines(H, f"Hà Nội,2020-Q3,online_dossiers,{s},150", f"Hà Nội,2020-Q3,total_dossiers,{s},300"))[:-1],
    "rejected", [file_rej("unreadable_file")], sector=s,
)  # fmt: skip

# =========================================================================================
family("files")
# =========================================================================================

_sample_csv = utf8(
    lines(H, "VN-HN,2020,online_dossiers,files_gzip,1", "VN-HN,2020,total_dossiers,files_gzip,2")
)
case("VN-HN/files/binary_garbage.csv", random.Random(20240601).randbytes(4096), "rejected",
     [file_rej("unreadable_file")])  # fmt: skip
case("VN-HN/files/gzip_named.csv", gzip.compress(_sample_csv, mtime=0), "rejected",
     [file_rej("unreadable_file")], sector="files_gzip")  # fmt: skip
case("VN-HN/files/workbook_named.csv", b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "rejected",
     [file_rej("unreadable_file")])  # fmt: skip
case("VN-HN/files/old_excel_named.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(300), "rejected",
     [file_rej("unreadable_file")])  # fmt: skip
case("VN-HN/files/pdf_named.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "rejected",
     [file_rej("unreadable_file")])  # fmt: skip
case("VN-HN/files/report.xlsx", b"PK\x03\x04 quarterly report workbook", "rejected",
     [file_rej("unreadable_file")])  # fmt: skip
case("VN-HN/files/figures.txt", utf8(lines(H, "VN-HN,2020,online_dossiers,files_txt,1")), "rejected",
     [file_rej("unreadable_file")], sector="files_txt")  # fmt: skip
case("VN-HN/files/zero_bytes.csv", b"", "rejected", [file_rej("empty_file")])
case("VN-HN/files/whitespace_only.csv", b"\r\n  \r\n\t\r\n", "rejected", [file_rej("empty_file")])
case("VN-HN/files/bom_only.csv", codecs.BOM_UTF8, "rejected", [file_rej("empty_file")])
case("VN-HN/files/header_only.csv", utf8(lines(H)), "rejected", [file_rej("empty_file")])
case("VN-HN/files/header_and_empty_rows.csv", utf8(lines(H, ",,,,", " , , , , ", "", ",,,,")), "rejected",
     [file_rej("empty_file")])  # fmt: skip
case("VN-HN/files/whitespace_only.json", b" \n\n ", "rejected", [file_rej("empty_file")])
case("VN-HN/files/no_value_column.csv",
     utf8(lines("region,period,metric,sector,amount", "VN-HN,2020,online_dossiers,files_amount,1")),
     "rejected", [file_rej("missing_columns")], sector="files_amount")  # fmt: skip
case("VN-HN/files/no_region_column_semicolon.csv",
     utf8(lines("province;period;metric;sector;value", "VN-HN;2020;online_dossiers;files_province;1")),
     "rejected", [file_rej("missing_columns")], sector="files_province")  # fmt: skip
case("VN-HN/files/UPPER_CASE_NAME.CSV",
     utf8(lines(H, "VN-HN,2020-Q2,online_dossiers,files_upper,25", "VN-HN,2020-Q2,total_dossiers,files_upper,50")),
     "accepted", published=[odr("VN-HN", "2020-Q2", "files_upper", 25, 50)], sector="files_upper")  # fmt: skip

s = "files_10mb_note"
_note = ("Ghi chu: so lieu tong hop tu cong dich vu cong. " * 220_000)[:10_000_000]
case(  # one 10 MB line (a 10 MB note cell) still parses
    "VN-HN/files/ten_megabyte_note.csv",
    utf8(lines("region,period,metric,sector,value,note", f"VN-HN,2020-Q4,online_dossiers,{s},75,{_note}",
               f"VN-HN,2020-Q4,total_dossiers,{s},100,short")),
    "accepted", published=[odr("VN-HN", "2020-Q4", s, 75, 100)], sector=s,
)  # fmt: skip
del _note

s = "files_too_large"
_row = f"VN-HN,2020-H1,online_dossiers,{s},1\n"
_too_large = utf8(H + "\n" + _row * (MAX_FILE_BYTES // len(_row) + 50_000))
assert len(_too_large) > MAX_FILE_BYTES
case("VN-HN/files/too_large.csv", _too_large, "rejected", [file_rej("file_too_large")], sector=s)
del _too_large

# =========================================================================================
family("rules")
# =========================================================================================

s = "rules_unknown_metric"
case(
    "VN-HN/rules/unknown_metric.csv",
    utf8(lines(H, f"VN-HN,2020-01,paperless_dossiers,{s},100", f"VN-HN,2020-01,,{s},100",
               f"VN-HN,2020-01,online_dossiers_rate,{s},50", f"VN-HN,2020-01,online_dossiers,{s},100",
               f"VN-HN,2020-01,total_dossiers,{s},400")),
    "partially_accepted", [rej(1, "unknown_metric"), rej(2, "unknown_metric"), rej(3, "unknown_metric")],
    [odr("VN-HN", "2020-01", s, 100, 400)], sector=s,
)  # fmt: skip

s = "rules_unit"
case(
    "VN-HN/rules/unit_mismatch.csv",
    utf8(lines("region,period,metric,sector,value,unit",
               f"VN-HN,2020-H1,online_dossiers,{s},100,percent",
               f"VN-HN,2020-H1,online_dossier_rate,{s},50,count",
               f"VN-HN,2020-H1,ehr_coverage,{s},50,persons",
               f"VN-HN,2020-H1,cashless_payments,{s},100,count",
               f"VN-HN,2020-H1,total_payments,{s},400,count",
               f"VN-HN,2020-H1,cashless_payment_share,{s},25,percent",
               f"VN-HN,2020-H1,population,{s},1000,people")),
    "partially_accepted",
    [rej(1, "unit_mismatch"), rej(2, "unit_mismatch"), rej(3, "unit_mismatch"),
     rej(7, "unit_mismatch")],
    [cps("VN-HN", "2020-H1", s, 100, 400)], sector=s,
)  # fmt: skip

s = "rules_pct_range"
case(
    "VN-HN/rules/percent_out_of_range.csv",
    utf8(lines(H, f"VN-HN,2020-H2,online_dossier_rate,{s},101",
               f"VN-HN,2020-H2,cashless_payment_share,{s},-0.5",
               f"VN-HN,2020-H2,ehr_coverage,{s},150%",
               f"VN-HN,2020-Q3,online_dossier_rate,{s},100",
               f"VN-HN,2020-Q3,cashless_payment_share,{s},0")),
    "partially_accepted",
    [rej(1, "percent_out_of_range"), rej(2, "percent_out_of_range"), rej(3, "percent_out_of_range")],
    [odr("VN-HN", "2020-Q3", s, None, None), cps("VN-HN", "2020-Q3", s, None, None)], sector=s,
)  # fmt: skip

s = "rules_dup_conflict"
case(
    "VN-HN/rules/duplicate_conflict.csv",
    utf8(lines(H, f"VN-HN,2020-Q1,online_dossiers,{s},100", f"Hà Nội,Q1 2020,online_dossiers,{s},120",
               f"VN-HN,2020-Q1,total_dossiers,{s},500")),
    "partially_accepted", [rej(1, "duplicate_conflict"), rej(2, "duplicate_conflict")], sector=s,
)  # fmt: skip

s = "rules_dup_identical"
case(
    "VN-HN/rules/duplicate_identical.csv",
    utf8(lines(H, f"VN-HN,2020-Q2,online_dossiers,{s},100", f"Hanoi,Q2 2020,online_dossiers,{s},100",
               f'VN-HN,2020-Q2,total_dossiers,{s},"1,000"', f"VN-HN,2020-Q2,total_dossiers,{s},1000")),
    "accepted", [warn(2, "duplicate_identical"), warn(4, "duplicate_identical")],
    [odr("VN-HN", "2020-Q2", s, 100, 1000)], sector=s,
)  # fmt: skip

s = "rules_dup_triple"
case(
    "VN-HN/rules/duplicate_three_copies.csv",
    utf8(lines(H, f"VN-HN,2020-Q4,ehr_people,{s},100", f"VN-HN,2020-Q4,ehr_people,{s},100",
               f"VN-HN,2020-Q4,ehr_people,{s},101", f"VN-HN,2020-Q4,population,{s},1000")),
    "partially_accepted",
    [rej(1, "duplicate_conflict"), rej(2, "duplicate_conflict"), rej(3, "duplicate_conflict")],
    sector=s,
)  # fmt: skip

s = "rules_num_exceeds"
case(  # README: both counts rejected; the reported rate still publishes
    "VN-HN/rules/numerator_exceeds_denominator.csv",
    utf8(lines(H, f"VN-HN,2020,cashless_payments,{s},900", f"VN-HN,2020,total_payments,{s},800",
               f"VN-HN,2020,cashless_payment_share,{s},90")),
    "partially_accepted",
    [rej(1, "numerator_exceeds_denominator"), rej(2, "numerator_exceeds_denominator")],
    [cps("VN-HN", "2020", s, None, None)], sector=s,
)  # fmt: skip

s = "rules_num_exceeds_ehr"
case(
    "VN-HN/rules/numerator_exceeds_denominator.json",
    js({"submitter": "VN-HN", "period": "2021",
        "observations": [obs("VN-HN", "ehr_people", 9_000_000, sector=s),
                         obs("VN-HN", "population", 8_500_000, sector=s)]}),
    "rejected",
    [rej(1, "numerator_exceeds_denominator"), rej(2, "numerator_exceeds_denominator")], sector=s,
)  # fmt: skip

s = "rules_cross_file"
case(  # README: the numerator and the denominator may come in different files
    "VN-33/rules/online.csv", utf8(lines(H, f"Đắk Lắk,2024,online_dossiers,{s},900")),
    "rejected", [rej(1, "numerator_exceeds_denominator")], sector=s,
)  # fmt: skip
case(
    "VN-33/rules/total.json",
    js([obs("VN-33", "total_dossiers", 800, sector=s, period="2024")]),
    "rejected", [rej(1, "numerator_exceeds_denominator")], sector=s,
)  # fmt: skip

s = "rules_rate_mismatch"
case(
    "VN-HN/rules/rate_mismatch.csv",
    utf8(lines(H, f"VN-HN,2021-Q3,online_dossiers,{s},2439", f"VN-HN,2021-Q3,total_dossiers,{s},3000",
               f"VN-HN,2021-Q3,online_dossier_rate,{s},90",
               f"VN-HN,2021-Q4,online_dossiers,{s},2439", f"VN-HN,2021-Q4,total_dossiers,{s},3000",
               f"VN-HN,2021-Q4,online_dossier_rate,{s},81.7")),
    "accepted", [warn(3, "rate_mismatch")],
    [odr("VN-HN", "2021-Q3", s, 2439, 3000), odr("VN-HN", "2021-Q4", s, 2439, 3000)], sector=s,
)  # fmt: skip

s = "rules_rate_mismatch_ratio"
case(
    "VN-HN/rules/rate_mismatch_ratio.csv",
    utf8(lines("region,period,metric,sector,value,unit",
               f"VN-HN,2022-H1,cashless_payments,{s},500,count",
               f"VN-HN,2022-H1,total_payments,{s},1000,count",
               f"VN-HN,2022-H1,cashless_payment_share,{s},0.6,ratio")),
    "accepted", [warn(3, "rate_mismatch")], [cps("VN-HN", "2022-H1", s, 500, 1000)], sector=s,
)  # fmt: skip

s = "rules_total_mismatch"
case(  # contract section 9: the country's stated total against what two aimags reported
    "MN/rules/total_mismatch.csv",
    utf8(lines(H, f"MN,2023,digitized_services,{s},100", f"MN-047,2023,digitized_services,{s},40",
               f"MN-1,2023,digitized_services,{s},50")),
    "accepted", [warn(1, "total_mismatch")], sector=s,
)  # fmt: skip

s = "rules_outlier_value"
case(  # contract section 9: one month of seven ten times the others (a slipped zero)
    "VN-HN/rules/outlier_value.csv",
    utf8(lines(H, *(f"VN-HN,2019-0{m},total_dossiers,{s},{v}"
                    for m, v in zip(range(1, 8), (980, 991, 1015, 1003, 10000, 1020, 995), strict=True)))),
    "accepted", [warn(5, "outlier_value")], sector=s,
)  # fmt: skip

case(  # no sector column: sector `all` (no other case reports Cao Bang for 2021)
    "VN-04/rules/no_sector_column.csv",
    utf8(lines("region,period,metric,value", "Cao Bằng,2021,online_dossiers,1800",
               "Cao Bang,2021,total_dossiers,2000")),
    "accepted", published=[odr("VN-04", "2021", "all", 1800, 2000)],
)  # fmt: skip

s = "rules_all_rejected"
case(
    "VN-HN/rules/every_row_rejected.csv",
    utf8(lines(H, f"Atlantis,2022-H2,online_dossiers,{s},1", f"VN-HN,2022-13,online_dossiers,{s},1",
               f"VN-HN,2022-H2,online_dossiers,{s},-1")),
    "rejected", [rej(1, "unknown_region"), rej(2, "bad_period"), rej(3, "negative_count")], sector=s,
)  # fmt: skip

s = "rules_multi_fault"
case(
    "VN-HN/rules/one_row_many_faults.csv",
    utf8(lines(H, f"Atlantis,2022-Q5,online_dossiers,{s},lots",
               f"VN-HN,2022-Q1,online_dossiers,{s},45", f"VN-HN,2022-Q1,total_dossiers,{s},90")),
    "partially_accepted",
    [rej(1, "unknown_region"), rej(1, "bad_period"), rej(1, "unparseable_value")],
    [odr("VN-HN", "2022-Q1", s, 45, 90)], sector=s,
)  # fmt: skip

s = "rules_equal_counts"
case(
    "VN-HN/rules/numerator_equals_denominator.csv",
    utf8(lines(H, f"VN-HN,2022-Q2,ehr_people,{s},500", f"VN-HN,2022-Q2,population,{s},500",
               f"VN-HN,2022-Q2,ehr_coverage,{s},100")),
    "accepted", published=[ehr("VN-HN", "2022-Q2", s, 500, 500)], sector=s,
)  # fmt: skip

s = "rules_stock_only"
case(
    "VN-HN/rules/digitized_services_only.csv",
    utf8(lines(H, f"VN-HN,2022-Q3,digitized_services,{s},1450", f"VN-HN,2022-Q4,digitized_services,{s},1500")),
    "accepted", sector=s,
)  # fmt: skip

# =========================================================================================
family("duplicates")
# =========================================================================================

s = "dup_original"
_original = utf8(lines(H, f"VN-HN,2023-Q1,cashless_payments,{s},3300",
                       f"VN-HN,2023-Q1,total_payments,{s},6600",
                       f"VN-HN,2023-Q1,cashless_payment_share,{s},200"))  # fmt: skip
case("VN-HN/duplicates/original.csv", _original, "partially_accepted",
     [rej(3, "percent_out_of_range")], [cps("VN-HN", "2023-Q1", s, 3300, 6600)], sector=s)  # fmt: skip
# the same bytes again: recorded as duplicate, no findings of its own, no data added
case("VN-HN/duplicates/resent/original_again.csv", _original, "duplicate")
case("VN-SG/duplicates/copy_of_hanoi_file.csv", _original, "duplicate")
# bytes that were only ever rejected get a decision of their own at another path (section 5)
case("VN-HN/files/zz_resent/binary_garbage_again.csv", random.Random(20240601).randbytes(4096),
     "rejected", [file_rej("unreadable_file")])  # fmt: skip

# =========================================================================================
family("resubmission")
# =========================================================================================

s = "resub_json"
case(  # seen first, but submitted later: its value supersedes
    "VN-CT/resubmission/a_correction.json",
    js({"submitter": "VN-CT", "period": "2024-H1", "submitted_at": "2024-07-20T09:30:00+07:00",
        "observations": [obs("VN-CT", "online_dossiers", 66120, sector=s)]}),
    "accepted", published=[odr("VN-CT", "2024-H1", s, 66120, 80000)],
)  # fmt: skip
case(
    "VN-CT/resubmission/b_original.json",
    js({"submitter": "VN-CT", "period": "2024-H1", "submitted_at": "2024-07-05T10:00:00+07:00",
        "observations": [obs("VN-CT", "online_dossiers", 64936, sector=s),
                         obs("Cần Thơ", "total_dossiers", "80 000", sector=s)]}),
    "accepted",
)  # fmt: skip

s = "resub_csv"
case(
    "VN-CT/resubmission/c_first_sent.csv",
    utf8(lines(H, f"VN-CT,2024-H2,online_dossiers,{s},100", f"VN-CT,2024-H2,total_dossiers,{s},1000")),
    "accepted",
)  # fmt: skip
case(  # no submitted_at: the file seen later wins
    "VN-CT/resubmission/d_sent_later.csv",
    utf8(lines(H, f"VN-CT,2024-H2,online_dossiers,{s},150")),
    "accepted", published=[odr("VN-CT", "2024-H2", s, 150, 1000)],
)  # fmt: skip

# =========================================================================================
family("regressions")
# =========================================================================================
# Each of these once broke the whole refresh or read garbage; now each is one contract
# outcome and the rest of the corpus still publishes.

s = "huge_json_int"
case(  # a 401-digit JSON integer: too large to read exactly, the row alone is rejected
    "VN-SG/regressions/huge_integer.json",
    b'[{"region":"VN-SG","period":"2024","metric":"online_dossiers","sector":"' + s.encode()
    + b'","value":1' + b"0" * 400 + b'}, {"region":"VN-SG","period":"2024","metric":"total_dossiers","sector":"'
    + s.encode() + b'","value":10}]',
    "partially_accepted", [rej(1, "unparseable_value")], sector=s,
)  # fmt: skip
s = "count_beyond_exact"
case(  # counts beyond 2**53 cannot be held exactly: rejected rows, never a blocked publish
    "VN-SG/regressions/beyond_exact.csv",
    utf8(lines(H, f"VN-SG,2024,online_dossiers,{s},20000000000000000", f"VN-SG,2024,total_dossiers,{s},30000000000000000",
               f"VN-SG,2024,cashless_payments,{s},9007199254740991")),
    "partially_accepted", [rej(1, "unparseable_value"), rej(2, "unparseable_value")], sector=s,
)  # fmt: skip
s = "merged_name_bad_period"
case(  # a merged province's name with a mistyped period: both problems named, nothing blocked
    "VN-34/regressions/merged_name_bad_period.csv",
    utf8(lines(H, f"Khánh Hòa,2024-13,online_dossiers,{s},5", f"VN-34,2024,online_dossiers,{s},5", f"VN-34,2024,total_dossiers,{s},10")),
    "partially_accepted", [rej(1, "bad_period"), rej(1, "unknown_region")],
    [odr("VN-34", "2024", s, 5, 10)], sector=s,
)  # fmt: skip
case(  # UTF-32 starts with the UTF-16 LE byte-order mark: it is rejected, never read as UTF-16
    "VN-SG/regressions/utf32.csv",
    codecs.BOM_UTF32_LE + "region,period,metric,value\nVN-SG,2024,online_dossiers,5\n".encode("utf-32-le"),
    "rejected", [file_rej("unreadable_file")],
)  # fmt: skip
s = "submitter_null"
case(  # "submitter": null is no declaration at all
    "VN-SG/regressions/submitter_null.json",
    js({"submitter": None, "observations": [obs("VN-SG", "online_dossiers", 4, period="2024", sector=s),
                                            obs("VN-SG", "total_dossiers", 8, period="2024", sector=s)]}),
    "accepted", published=[odr("VN-SG", "2024", s, 4, 8)], sector=s,
)  # fmt: skip
s = "point_first_rate"
case(  # '.5' and '81.' are unambiguous with '.' as the decimal point
    "VN-SG/regressions/point_first_rate.csv",
    utf8(lines(H, f"VN-SG,2023,online_dossier_rate,{s},.5", f"VN-SG,2022,online_dossier_rate,{s},81.")),
    "accepted", published=[odr("VN-SG", "2023", s, None, None), odr("VN-SG", "2022", s, None, None)], sector=s,
)  # fmt: skip
s = "year_2101"
case(  # a well-formed year far ahead is a future period, not a malformed one
    "VN-HN/regressions/year_2101.csv",
    utf8(lines(H, f"VN-HN,2101,online_dossiers,{s},5", f"VN-HN,2024,online_dossiers,{s},5", f"VN-HN,2024,total_dossiers,{s},6")),
    "partially_accepted", [rej(1, "future_period")], [odr("VN-HN", "2024", s, 5, 6)], sector=s,
)  # fmt: skip

# =========================================================================================
family("landing zone and header hazards")
# =========================================================================================

s = "two_value_columns"
case(  # two columns name `value`: never read by guessing which one counts
    "VN-HN/hazards/two_value_columns.csv",
    utf8(lines(H + ",Value ", f"VN-HN,2024,online_dossiers,{s},5,7", f"VN-HN,2024,total_dossiers,{s},9,9")),
    "rejected", [file_rej("duplicate_columns")], sector=s,
)  # fmt: skip
s = "quoted_header_semicolons"
case(  # the delimiter is counted outside quotes: a quoted header cell may hold any
    "VN-HN/hazards/quoted_header_semicolons.csv",
    utf8(lines(H + ',"note; source; reviewer; date"', f"VN-HN,2024,online_dossiers,{s},5,a; b",
               f"VN-HN,2024,total_dossiers,{s},10,")),
    "accepted", published=[odr("VN-HN", "2024", s, 5, 10)], sector=s,
)  # fmt: skip
s = "json_keys_any_case"
case(  # JSON keys are read as CSV headers are: case and surrounding spaces ignored
    "VN-HN/hazards/json_keys_any_case.json",
    js({"Submitter": "VN-HN", "Period": "2023",
        "Observations": [{"Region": "VN-HN", " Metric ": "online_dossiers", "SECTOR": s, "Value": 3},
                         {"region": "VN-HN", "metric": "total_dossiers", "sector": s, "value": 4}]}),
    "accepted", published=[odr("VN-HN", "2023", s, 3, 4)], sector=s,
)  # fmt: skip
s = "submitted_at_2099"
case(  # a submitted_at later than the moment the file was seen: flagged, ordered as if absent
    "VN-HN/hazards/submitted_at_2099.json",
    js({"submitter": "VN-HN", "period": "2023-H1", "submitted_at": "2099-01-01T00:00:00+07:00",
        "observations": [obs("VN-HN", "online_dossiers", 6, sector=s),
                         obs("VN-HN", "total_dossiers", 8, sector=s)]}),
    "accepted", [(None, "future_submitted_at", WARNING)], [odr("VN-HN", "2023-H1", s, 6, 8)],
    sector=s,
)  # fmt: skip
s = "year_9999"
case(  # the last quarter a date can hold is a future period like any other
    "VN-HN/hazards/year_9999.csv",
    utf8(lines(H, f"VN-HN,9999-Q4,online_dossiers,{s},5", f"VN-HN,2024-Q2,online_dossiers,{s},5",
               f"VN-HN,2024-Q2,total_dossiers,{s},6")),
    "partially_accepted", [rej(1, "future_period")], [odr("VN-HN", "2024-Q2", s, 5, 6)], sector=s,
)  # fmt: skip
