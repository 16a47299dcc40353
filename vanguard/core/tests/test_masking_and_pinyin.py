from __future__ import annotations

from vanguard.core import masking, pinyin


def test_names_phones_and_id_numbers_are_masked_for_public_display():
    assert masking.mask_name("张三") == "张*"
    assert masking.mask_name("欧阳娜娜") == "欧***"
    assert masking.mask_phone("13812345678") == "138****5678"
    assert masking.mask_id_number("130102198506150011") == "130***********0011"
    assert masking.mask_phone("") == ""


def test_pinyin_keys_are_lowercase_ascii_full_spelling_and_initials():
    assert pinyin.full_pinyin("张三") == "zhangsan"
    assert pinyin.initials("张三") == "zs"
    assert pinyin.initials("吕洞宾") == "ldb"
    assert pinyin.full_pinyin("吕洞宾") == "lvdongbin"
    assert pinyin.search_key(" ZhangSan ") == "zhangsan"
    assert pinyin.is_pinyin_query("zs")
    assert not pinyin.is_pinyin_query("张三")
