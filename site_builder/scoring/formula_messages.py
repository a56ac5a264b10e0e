"""Messages of the formula language (``formula.*``), registered on import."""

from __future__ import annotations

from site_builder import messages

# code: zh what, zh fix, en what, en fix; "@" stands for the position in the formula
_MESSAGES = {
    "empty": ("公式为空", "请填写表达式，例如 a + b", "The formula is empty",
              "Write an expression, e.g. a + b"),
    "too_long": ("公式长 {length} 个字符，超过上限 {limit}", "请拆分公式，或改用规则类型表达该条款",
                 "The formula is {length} characters long, over the limit of {limit}",
                 "Split it up, or express the clause with a rule kind"),
    "too_deep": ("@嵌套超过 {limit} 层", "请减少括号、函数与运算符的嵌套",
                 "Nesting deeper than {limit} levels @", "Reduce the nesting"),
    "unexpected_char": ("@的字符“{char}”无法识别", "公式只能包含数字、名称、运算符、比较符号、括号和逗号",
                        "Unexpected character “{char}” @", "Formulas consist of numbers, names, "
                        "operators, comparisons, parentheses and commas"),
    "bad_number": ("@的数字“{text}”写法不正确", "数字写作 12 或 1.5，不用指数，后面不能紧跟字母",
                   "Malformed number “{text}” @",
                   "Write 12 or 1.5: no exponent, no letters attached"),
    "bad_name": ("@的名称“{text}”写法不正确",
                 "名称由字母、数字、下划线组成，不以数字开头，层级用点分隔，如 a.b",
                 "Malformed name “{text}” @", "Names are letters, digits and underscores, not "
                 "starting with a digit, with levels separated by dots, e.g. a.b"),
    "unexpected_token": ("@出现了意外的“{token}”", "请检查此处是否缺少运算符、逗号或括号",
                         "Unexpected “{token}” @",
                         "Check for a missing operator, comma or parenthesis"),
    "unexpected_end": ("@意外结束", "末尾缺少运算数或右括号", "The formula ends unexpectedly @",
                       "An operand or a closing parenthesis is missing at the end"),
    "unclosed_paren": ("@的左括号没有对应的右括号", "请补上“)”", "The parenthesis @ is never closed",
                       "Add the missing “)”"),
    "chained_comparison": ("@连续使用了比较符号",
                           "请用 and 连接两个比较，例如 0 <= a and a <= 100",
                           "Chained comparison @",
                           "Join comparisons with and: 0 <= a and a <= 100"),
    "unknown_function": ("@的函数“{name}”不存在", "可用的函数：{available}",
                         "Unknown function “{name}” @", "Available functions: {available}"),
    "arity": ("@的函数 {name} 需要 {expected} 个参数，实际给了 {got} 个", "请检查参数个数和逗号",
              "Function {name} @ takes {expected} argument(s), not {got}",
              "Check the number of arguments and the commas"),
    "arity_min": ("@的函数 {name} 至少需要 {expected} 个参数，实际给了 {got} 个", "请补充参数",
                  "Function {name} @ takes at least {expected} argument(s), not {got}",
                  "Add the missing arguments"),
    "not_number": ("@需要数值，却得到真假值", "算术运算、大小比较和数值函数只能用于数值",
                   "A number is needed @, not true/false",
                   "Arithmetic, ordering comparisons and numeric functions take numbers"),
    "not_boolean": ("@需要条件（真假值），却得到数值", "and、or、not 和 if 的条件需要比较结果，例如 a > 0",
                    "A condition (true/false) is needed @, not a number",
                    "and, or, not and the condition of if take comparisons, e.g. a > 0"),
    "type_mismatch": ("@把数值与真假值相比较", "== 和 != 两边须同为数值或同为真假值",
                      "A number is compared with true/false @",
                      "Both sides of == and != must be numbers, or both true/false"),
    "result_not_number": ("公式的结果是真假值而不是数值", "按条件取值请用 if(条件, 值1, 值2)",
                          "The formula gives true/false, not a number",
                          "To choose a value by a condition use if(condition, value1, value2)"),
    "unknown_name": ("@的名称“{name}”没有定义", "请检查拼写，并确认考核办法中定义了该项",
                     "Unknown name “{name}” @",
                     "Check the spelling and that the scheme defines it"),
    "unknown_name_hint": ("@的名称“{name}”没有定义", "是否应为“{suggestion}”？",
                          "Unknown name “{name}” @", "Did you mean “{suggestion}”?"),
    "bad_value": ("@的“{name}”的值不是有限数值或真假值：{value}", "请检查该项的数据",
                  "The value of “{name}” @ is not a finite number or true/false: {value}",
                  "Check the data of this item"),
    "division_by_zero": ("@除数为零", "可写作 {guard} 处理除数为零的情况",
                         "Division by zero @", "Guard it, e.g. {guard}"),
    "clamp_bounds": ("@的 clamp 下限 {lo} 大于上限 {hi}", "参数顺序为 clamp(值, 下限, 上限)",
                     "clamp @ has lower bound {lo} above upper bound {hi}",
                     "The order is clamp(value, lower, upper)"),
    "arithmetic": ("@的运算无法完成（{detail}）", "请检查参与运算的数值是否过大或无意义",
                   "The arithmetic @ cannot be done ({detail})", "Check the values involved"),
}
messages.register({
    "formula." + code: (zw.replace("@", "公式第 {position} 个字符处"), zf,
                        ew.replace("@", "at position {position} of the formula"), ef)
    for code, (zw, zf, ew, ef) in _MESSAGES.items()
})
