"""Masking of phone numbers and addresses: never shows more than the rules allow."""

import pytest

from kefu.customers.masking import mask_address, mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("+86 138-1234-1234", "138****1234"),
        ("8613812341234", "138****1234"),
        ("0086 138 1234 1234", "138****1234"),
        ("+8613812341234", "138****1234"),
        ("021-12345678", "****5678"),
        ("+1 415 555 0199", "****0199"),
        ("1234567", "****"),
        ("12", "****"),
        ("abc", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("上海市浦东新区张江路88号", "上海市浦东新区****"),
        ("北京市朝阳区建国路1号院3号楼", "北京市朝阳区****"),
        ("广东省深圳市南山区科技园南区", "广东省深圳市南山区****"),
        ("浙江省杭州市余杭区五常街道文一西路969号", "浙江省杭州市余杭区****"),
        ("湖南省长沙市长沙县星沙镇", "湖南省长沙市长沙县****"),
        ("广西壮族自治区南宁市青秀区民族大道100号", "广西壮族自治区南宁市青秀区****"),
        ("新疆维吾尔自治区阿克苏地区库车县人民路", "新疆维吾尔自治区阿克苏地区库车县****"),
        ("内蒙古自治区锡林郭勒盟阿巴嘎旗别力古台镇", "内蒙古自治区锡林郭勒盟阿巴嘎旗****"),
        ("北京市市辖区东城区东华门街道", "北京市市辖区****"),
        ("上海市 浦东新区 张江路88号", "上海市浦东新区****"),
        # No district written: fall back to the city, never the street.
        ("江苏省苏州市昆山市花桥镇绿地大道", "江苏省苏州市****"),
        ("广东省东莞市东城街道东纵路", "广东省东莞市****"),
        # A housing estate (小区) is not a district: it must not be kept.
        ("杭州市幸福小区3幢", "杭州市****"),
        ("幸福小区3幢201室", "****"),
        # Digits or street words before the first 区 mean it is not a district.
        ("文一西路969号西溪园区", "****"),
        ("88号楼东区", "****"),
        # Short and odd input.
        ("区", "****"),
        ("上海", "****"),
        ("123 Main Street, Springfield", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_address(address, masked):
    assert mask_address(address) == masked


def test_mask_address_never_keeps_a_digit():
    for address in ["1区2号", "上海市1区", "第3区", "北京市朝阳区88号"]:
        assert not any(char.isdigit() for char in mask_address(address))
