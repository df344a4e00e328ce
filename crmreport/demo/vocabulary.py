"""Words the demo tables are made of: names, companies, regions, staff, tags, categories and channels."""

from __future__ import annotations

import numpy as np

from .columns import NP_STR


def _pairs(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Alternating 'hanzi pinyin' words as two aligned arrays."""
    words = text.split()
    return np.array(words[0::2], dtype=NP_STR), np.array(words[1::2], dtype=NP_STR)


def words(text: str, sep: str = " ") -> np.ndarray:
    """The ``sep``-separated words of ``text`` as a numpy string array."""
    return np.array(text.split(sep), dtype=NP_STR)


SURNAMES = _pairs("王 Wang 李 Li 张 Zhang 刘 Liu 陈 Chen 杨 Yang 黄 Huang 赵 Zhao 吴 Wu 周 Zhou 徐 Xu 孙 Sun "
                  "马 Ma 朱 Zhu 胡 Hu 郭 Guo 何 He 林 Lin 高 Gao 罗 Luo")
GIVEN_NAMES = _pairs("伟 Wei 芳 Fang 娜 Na 敏 Min 静 Jing 丽 Li 强 Qiang 磊 Lei 洋 Yang 艳 Yan 勇 Yong 军 Jun "
                     "杰 Jie 娟 Juan 涛 Tao 明 Ming 超 Chao 秀英 Xiuying 霞 Xia 平 Ping 刚 Gang 婷 Ting 浩然 Haoran "
                     "子涵 Zihan 欣怡 Xinyi 宇轩 Yuxuan 建国 Jianguo 晓东 Xiaodong 雷 Lei")
BRAND_CHARS = _pairs("华 hua 信 xin 恒 heng 通 tong 新 xin 锐 rui 远 yuan 航 hang 金 jin 桥 qiao 宏 hong 达 da "
                     "博 bo 瑞 rui 丰 feng 天 tian 成 cheng 永 yong 盛 sheng 鼎 ding 汇 hui 智 zhi 启 qi 明 ming "
                     "海 hai 川 chuan 安 an 嘉 jia 联 lian 创 chuang 卓 zhuo 越 yue")
EN_BRANDS = words("Everbright Goldbridge Sunrise Evergreen Pioneer Unity Silverline Bluewave Summit Harmony "
                  "Greatwall Orient Brightstar Northwind")
#: industry, share of B2B customers, Chinese and (aligned) English company-name words
INDUSTRIES = (
    ("manufacturing", 0.26, "精密制造|机械设备|电子科技|五金工具",
     "Precision Manufacturing|Machinery|Electronics|Tools"),
    ("retail", 0.14, "商贸|百货|零售连锁", "Trading|Department Store|Retail"),
    ("IT services", 0.13, "信息技术|软件|数据科技", "Information Technology|Software|Data Systems"),
    ("healthcare", 0.10, "医疗器械|医药|健康科技", "Medical Devices|Pharmaceutical|Health Tech"),
    ("logistics", 0.11, "物流|供应链管理|运输", "Logistics|Supply Chain|Transport"),
    ("construction", 0.10, "建设工程|建材|装饰工程", "Construction|Building Materials|Interiors"),
    ("education", 0.07, "教育科技|培训", "Education Technology|Training"),
    ("finance", 0.09, "融资租赁|投资管理", "Financial Leasing|Investment"),
)
REGIONS = (("East China", 0.30, "上海 苏州 杭州 南京 宁波"), ("South China", 0.22, "广州 深圳 东莞 佛山 厦门"),
           ("North China", 0.17, "北京 天津 石家庄 太原"), ("Central China", 0.12, "武汉 长沙 郑州 合肥"),
           ("Southwest", 0.10, "成都 重庆 昆明 贵阳"), ("Northwest", 0.04, "西安 兰州 银川"),
           ("Northeast", 0.05, "沈阳 大连 长春 哈尔滨"))
KEY_ACCOUNT_MANAGERS = ("王芳", "李娜", "张伟", "Chen Jing", "刘洋", "Zhou Min", "杨磊", "黄涛")
SERVICE_MANAGERS = ("Zhao Qiang", "吴敏", "Sun Li", "徐静")
STAFF = KEY_ACCOUNT_MANAGERS + SERVICE_MANAGERS
ROLES_ZH = words("经理 总监 主管 总 采购经理 工程师 采购主管")
ROLES_EN = words("Manager|Director|Purchasing Manager|Procurement Director|Operations Manager", "|")
MAIL_DOMAINS = words("163.com qq.com 126.com sina.com outlook.com gmail.com foxmail.com")
TAGS = ("custom product", "technical support", "fast delivery", "training", "price discount", "after-sales service",
        "installation", "bulk purchase", "flexible payment", "new products")
TAG_WEIGHTS = (np.array([2, 5, 25, 2, 30, 20, 5, 1, 5, 5.0]), np.array([18, 18, 12, 10, 10, 10, 7, 7, 5, 3.0]))
TAG_COUNT_SHARES = {1: 0.4, 2: 0.4, 3: 0.2}
CATEGORIES = (("electronics", "home appliances", "apparel", "food & beverage", "beauty & personal care",
               "home & living"),
              ("raw materials", "components", "equipment", "spare parts", "software licences", "maintenance service",
               "consulting"))
CATEGORY_WEIGHTS = ((0.25, 0.15, 0.2, 0.15, 0.1, 0.15), (0.2, 0.25, 0.15, 0.15, 0.08, 0.12, 0.05))
SALES_CHANNELS = ("online", "offline store", "distributor", "direct sales")
SALES_CHANNEL_WEIGHTS = ((0.6, 0.35, 0.05, 0.0), (0.2, 0.0, 0.3, 0.5))
INBOUND_CHANNELS = ("phone", "email", "im", "app", "visit")
INBOUND_CHANNEL_WEIGHTS = ((0.25, 0.08, 0.35, 0.25, 0.07), (0.40, 0.20, 0.25, 0.05, 0.10))
SENTIMENT_WEIGHTS = {"responded": (0.1, 0.5, 0.4), "consultation": (0.1, 0.6, 0.3), "suggestion": (0.2, 0.5, 0.3),
                     "complaint": (0.85, 0.15, 0.0)}
SERVICE_CATEGORIES = (("technical support", "technical support", 0.3), ("delivery inquiry", "logistics", 0.2),
                      ("installation", "after-sales service", 0.15), ("billing", "finance", 0.1),
                      ("returns", "customer service", 0.1), ("product information", "sales", 0.15))
