"""The plainer words of 长者模式 (elder mode, core/display.py; docs/glossary.md “长者模式用语”).

The national 适老化 rules ask for plain words on the main journeys. The official terms stay in
normal mode (they are what the law and the guides say); in elder mode the page says the same thing
in everyday words. This dict is the one vocabulary: templates ask for a term through
`{% plain "受理条件" %}` or `{% plain case.get_state_display %}` (core/templatetags/plain.py), which
replaces every listed term in the text (longest first) when elder mode is on. Only the platform's
own wording goes through it, never what a person wrote (a letter, an item's name).
"""

from __future__ import annotations

import re

PLAIN_WORDS: dict[str, str] = {
    # the menu
    "网上办事": "上网办事",
    "公众参与": "写信反映",
    # finding and reading a service
    "办事指南": "办事说明",
    "事项": "要办的事",
    "实施主体": "负责的部门",
    "受理部门": "负责的部门",
    "承办单位": "负责的部门",
    "受理条件": "谁可以办",
    "法定办结时限": "法律规定几天办完",
    "承诺办结时限": "承诺几天办完",
    "到办事现场次数": "要去现场几次",
    "全程网办": "不用跑，网上办完",
    "申请材料": "要交的材料",
    # applying and following it
    "在线申请": "在网上申请",
    "我的办件": "我办的事",
    "办件编号": "办事编号",
    "办件": "办的事",
    "查询码": "查询密码",
    "一号查询": "凭编号查进度",
    "待受理": "等待收下",
    "不予受理": "没有收下",
    "受理": "收下",
    "待补正": "要补交材料",
    "补正": "补交材料",
    "审批中": "正在办",
    "审批进度": "办到哪一步了",
    "办理过程": "办到哪一步了",
    "待决定": "等待结果",
    "准予许可": "批准了",
    "不予许可": "没有批准",
    # letters
    "我要写信": "写一封信",
    "提交来信": "把信寄出",
    "我的来信": "我写的信",
    "来信查询": "查信办到哪了",
    "来信内容": "信的内容",
    "来信时间": "写信时间",
    "信件编号": "信的编号",
    "待派单": "等待转给部门",
    "待签收": "等待部门接收",
    "办理中": "正在办",
    "已答复待办结": "已回信，快办完了",
    "已办结": "已办完",
    "答复意见": "回信内容",
    # my data
    "我的数据": "我的信息",
    "导出全部数据": "下载我的全部信息",
    "谁用了我的数据": "谁看过我的信息",
    "实名状态": "身份核对",
    "申请更正基础信息": "信息不对，申请改正",
    "提交更正申请": "申请改正",
}

_TERMS = re.compile("|".join(re.escape(term) for term in sorted(PLAIN_WORDS, key=len, reverse=True)))


def plain(text: str) -> str:
    """`text` with every listed term in its plainer words."""
    return _TERMS.sub(lambda found: PLAIN_WORDS[found.group(0)], text)
