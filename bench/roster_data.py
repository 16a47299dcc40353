"""A roster workbook of N people over a realistic tree, written with xlsxwriter, deterministic."""

from __future__ import annotations

import datetime as dt
import random
import sys

import xlsxwriter

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志海波宁鹏辉"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def write(path: str, people: int) -> None:
    rng = random.Random(20261121)
    branches = max(people // 50, 1)
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    orgs = workbook.add_worksheet("党组织")
    orgs.write_row(0, 0, ["名称", "类型", "上级"])
    orgs.write_row(1, 0, ["基准党委", "党委", ""])
    for b in range(branches):
        orgs.write_row(b + 2, 0, [f"第{b + 1}党支部", "党支部", "基准党委"])
    grid = workbook.add_worksheet("网格")
    grid.write_row(0, 0, ["名称", "类型", "上级", "社区类型"])
    grid.write_row(1, 0, ["基准街道", "街道", "", ""])
    grid.write_row(2, 0, ["基准公司", "公司", "", ""])
    communities = max(branches // 10, 1)
    row = 3
    for c in range(communities):
        grid.write_row(row, 0, [f"第{c + 1}社区", "社区", "基准街道", "学习型"])
        row += 1
    for b in range(branches):
        grid.write_row(row, 0, [f"第{b + 1}班组", "班组", "基准公司", ""])
        row += 1
    sheet = workbook.add_worksheet("人员")
    headers = [
        "姓名",
        "性别",
        "出生日期",
        "身份证号",
        "手机号",
        "人员类型",
        "党员类别",
        "所在党组织",
        "入党日期",
        "工作单位",
        "职业",
        "特长",
        "居住社区",
        "备注",
    ]
    sheet.write_row(0, 0, headers)
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for i in range(people):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 50))
        # Region code and serial together are unique for i < 100 000; the serial's parity is the gender.
        first17 = f"13{(i // 1000) % 100:02d}00{birth:%Y%m%d}{i % 1000:03d}"
        ident = first17 + CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        branch = i % branches
        r = i + 1
        sheet.write_string(r, 0, name)
        sheet.write_string(r, 1, "男" if int(ident[16]) % 2 else "女")
        sheet.write_datetime(r, 2, dt.datetime.combine(birth, dt.time()), date_format)
        sheet.write_string(r, 3, ident)
        sheet.write_string(r, 4, f"13{i:09d}")
        sheet.write_string(r, 5, "党员")
        sheet.write_string(r, 6, "在职" if rng.random() < 0.8 else "离退休")
        sheet.write_string(r, 7, f"基准党委/第{branch + 1}党支部")
        sheet.write_datetime(
            r, 8, dt.datetime.combine(birth + dt.timedelta(days=365 * 25 + 7), dt.time()), date_format
        )
        sheet.write_string(r, 9, f"基准公司/第{branch + 1}班组")
        sheet.write_string(r, 10, rng.choice(["驾驶员", "教师", "维修工", "会计", "医生"]))
        sheet.write_string(r, 11, rng.choice(["文艺", "维修", "法律咨询", "电脑、书法", ""]))
        sheet.write_string(r, 12, f"基准街道/第{branch % communities + 1}社区")
        sheet.write_string(r, 13, "")
    workbook.close()


if __name__ == "__main__":
    write(sys.argv[1], int(sys.argv[2]))
