"""Vietnamese as people type it into a chat box, read the same way as the FAQ is written.

People leave out diacritics ("quen mat khau"), abbreviate ("quên mk", "đk tk", "sđt", "cccd"), write teen
spelling ("ko nhận dc otp j hết", "wên pass"), stretch words ("lương hưuuu"), swap two letters ("khao tài
khoản") and add greetings and particles ("ad ơi cho e hỏi ... ạ"). `runs` reads both a message and the
FAQ through the same steps, so whatever is written either way meets:

1. `fold`: lower case, NFD with the combining marks dropped, "đ" → "d" ("Đăng ký" → "dang ky").
2. Split into clauses at clause punctuation (a phrase never spans a comma) and into words.
3. `PHRASES` and `WORDS`: abbreviations, teen spelling and synonyms become one written form
   ("mk", "pass", "password" → "mat khau"; "ko", "k", "hok" → "khong"; "cmnd", "căn cước" → "cccd";
   "hotline" → "tong dai"; "thế nào", "có thể", "mọi người" → nothing). Longest phrase first.
4. `STOP_WORDS` are dropped: function words and chat filler that say nothing about which entry answers.
   A word whose unaccented form is also a content word here stays: "co" (có, but cơ quan), "the" (thế,
   but thẻ BHYT), "bao" (bao nhiêu, but bảo), "anh" (anh, but ảnh chân dung), "chi" (chị, but chi trả),
   "ban" (bạn, but ban đầu, bản gốc), "moi" (mọi, but mới), "mot" (một lần is the lump-sum benefit).
   "khong" stays when it denies the content word after it ("không đóng", "không nhận"): only the question
   particle at the end ("có đóng … không") is filler.

`correct` (used with the FAQ's vocabulary) then repairs a word the FAQ does not know: an elongation
("huuu" → "huu"), teen consonants ("wen" → "quen", "fai" → "phai") or two neighbouring letters swapped
("khua" → "khau", "thaoi" → "thoai"), and only when the repair is a word the FAQ has. Edit-distance
guessing in general is not used: without diacritics Vietnamese syllables are so close that "vang"
(gold) is one letter from "dang" (đăng ký) — a confident wrong answer is worse than none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection

_WORD = re.compile(r"[^\W\d_]+|\d+")  # letters or digits: "8mb" is "8 mb", as the FAQ writes "5 MB"
# Where a phrase ends: clause punctuation. Hyphens and slashes join ("CCCD/CMND", "COVID-19").
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”«»…\n]+")
_ELONGATED = re.compile(r"(.)\1{2,}")

# One typed word → its written form (several words allowed; an empty tuple drops it).
WORDS: dict[str, tuple[str, ...]] = {
    # không, được, gì, vậy, rồi, bao nhiêu, biết, muốn — teen and SMS spelling
    **dict.fromkeys(("ko", "k", "kh", "khg", "kg", "hok", "hong", "hem", "hk", "khum"), ("khong",)),
    "dc": ("duoc",), "j": ("gi",), "r": ("roi",), "z": ("vay",), "v": ("vay",), "dz": ("vay",), "zay": ("vay",),
    "dzay": ("vay",), "s": ("sao",), "vs": ("voi",), "bn": ("bao", "nhieu"), "bnh": ("bao", "nhieu"),
    "bit": ("biet",), "bik": ("biet",), "nhiu": ("nhieu",), "mun": ("muon",), "lun": ("luon",), "wa": ("qua",),
    "ik": ("di",), "ng": ("nguoi",), "h": ("gio",), "lm": ("lam",), "chang": ("khong",),
    "tui": ("toi",), "nv": ("nhan", "vien"), "tks": (), "thank": (), "p": ("phut",),
    # greetings, particles, addressing the chat: they never tell which entry answers
    **dict.fromkeys(("ntn", "mn", "mng", "ad", "admin", "shop", "oi", "ah", "ak", "nha", "nhe", "nhen", "hen",
                     "e", "em", "minh", "giup", "hoi", "xin", "chao", "hello", "hi", "alo", "thanks", "ok", "oke",
                     "hix", "huhu"), ()),
    # account and sign-in words
    **dict.fromkeys(("mk", "pass", "password", "pw", "passwork", "mkhau"), ("mat", "khau")),
    "tk": ("tai", "khoan"), "acc": ("tai", "khoan"), "account": ("tai", "khoan"), "login": ("dang", "nhap"),
    "user": ("ten", "dang", "nhap"), "username": ("ten", "dang", "nhap"), "captcha": ("ma", "kiem", "tra"),
    "dk": ("dang", "ky"), "dki": ("dang", "ky"), "dky": ("dang", "ky"), "ki": ("ky",),
    "sdt": ("so", "dien", "thoai"), "sim": ("so", "dien", "thoai"), "dt": ("dien", "thoai"),
    "dthoai": ("dien", "thoai"), "app": ("ung", "dung"), "apps": ("ung", "dung"), "vss": ("vssid",),
    "hotline": ("tong", "dai"), "tn": ("sms",), "cmnd": ("cccd",), "cmt": ("cccd",),
    # employers, insurance words, places
    **dict.fromkeys(("cty", "cti", "dn", "dv"), ("don", "vi")),
    "bh": ("bao", "hiem"), "kcb": ("kham", "chua", "benh"), "hdld": ("hop", "dong", "lao", "dong"),
    "tnld": ("tai", "nan", "lao", "dong"), "bnn": ("benh", "nghe", "nghiep"), "bhtn": ("that", "nghiep"),
    "lanh": ("nhan",), "lay": ("nhan",), "rut": ("nhan",), "coi": ("xem",), "hn": ("hanoi",), "tphcm": ("hcm",),
    # common chat shorthand and English loanwords for things the FAQ names in Vietnamese
    "hs": ("ho", "so"), "hso": ("ho", "so"), "bv": ("benh", "vien"), "mst": ("ma", "so", "thue"),
    "kt": ("kiem", "tra"), "check": ("kiem", "tra"), "lock": ("khoa",), "reset": ("dat", "lai"),
    "code": ("ma",), "mail": ("email",), "gmail": ("email",), "logout": ("dang", "xuat"),
    "trc": ("truoc",), "hgd": ("ho", "gia", "dinh"), "nld": ("nguoi", "lao", "dong"),
    "cx": (), "dtdd": ("dien", "thoai"), "update": ("cap", "nhat"),
    # the same thing said another way: "nhầm" is "sai", "2" is "hai" (the FAQ writes "hai điện thoại")
    "nham": ("sai",), "2": ("hai",),
    # signed out: "bị out ra", "văng ra"
    "out": ("dang", "xuat"),
    # southern and loanword everyday verbs: xài = dùng, up = tải lên; captcha misspelt
    "xai": ("dung",), "up": ("tai", "len"), "upload": ("tai", "len"), "capcha": ("ma", "kiem", "tra"),
}

# Several typed words → their written form, longest first when applied.
PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("bao", "hiem", "xa", "hoi"): ("bhxh",), ("bao", "hiem", "y", "te"): ("bhyt",),
    ("bao", "hiem", "that", "nghiep"): ("that", "nghiep"), ("bhxh", "viet", "nam"): ("bhxh",),
    # "Bảo hiểm xã hội số" is VssID's name, but "BHXH số mấy" asks for a number: only after app or VssID
    ("ung", "dung", "bhxh", "so"): ("ung", "dung", "vssid"), ("vssid", "bhxh", "so"): ("vssid",),
    ("vss", "id"): ("vssid",),
    ("can", "cuoc", "cong", "dan"): ("cccd",), ("the", "can", "cuoc"): ("cccd",), ("can", "cuoc"): ("cccd",),
    ("chung", "minh", "nhan", "dan"): ("cccd",), ("chung", "minh", "thu"): ("cccd",),
    ("ma", "xac", "thuc"): ("otp",), ("ma", "xac", "nhan"): ("otp",), ("tin", "nhan"): ("sms",),
    ("duong", "day", "nong"): ("tong", "dai"), ("so", "dt"): ("so", "dien", "thoai"), ("1", "lan"): ("mot", "lan"),
    ("ma", "bhxh"): ("ma", "so", "bhxh"), ("so", "so", "bhxh"): ("ma", "so", "bhxh"),
    ("so", "bao", "hiem"): ("ma", "so", "bhxh"),
    ("ha", "noi"): ("hanoi",), ("ho", "chi", "minh"): ("hcm",), ("sai", "gon"): ("hcm",), ("tp", "hcm"): ("hcm",),
    # questions: "là gì" (what is) and "ở đâu" (where) are the question, not filler
    ("la", "gi"): ("lagi",), ("o", "dau"): ("odau",), ("di", "dau"): ("odau",), ("cho", "nao"): ("odau",),
    ("noi", "nao"): ("odau",),
    # one name for one thing: the FAQ says "đơn vị" for an employer, people say "công ty"
    ("cong", "ty"): ("don", "vi"), ("doanh", "nghiep"): ("don", "vi"), ("cho", "lam"): ("don", "vi"),
    ("khieu", "nai"): ("kien", "nghi"), ("gop", "y"): ("kien", "nghi"), ("to", "cao"): ("kien", "nghi"),
    ("khong", "nho"): ("quen",), ("thay", "doi"): ("doi",), ("ve", "huu"): ("nghi", "huu"),
    ("em", "be"): ("con",), ("sinh", "de"): ("sinh", "con"), ("the", "bao", "hiem"): ("the", "bhyt"),
    ("vao", "ung", "dung"): ("dang", "nhap"), ("thoat", "ra"): ("dang", "xuat"),
    ("bi", "thoat"): ("bi", "dang", "xuat"), ("bi", "tra", "ve"): ("bi", "tu", "choi"),
    ("kham", "ban", "dau"): ("kham", "chua", "benh", "ban", "dau"), ("dong", "chi", "tra"): ("cung", "chi", "tra"),
    ("may", "moi"): ("dien", "thoai", "moi"), ("may", "cu"): ("dien", "thoai", "cu"),
    ("may", "khac"): ("dien", "thoai", "khac"), ("hai", "may"): ("hai", "dien", "thoai"),
    # making an account is registering one; the FAQ says "đăng ký tài khoản"
    **dict.fromkeys((("tao", "tai", "khoan"), ("mo", "tai", "khoan"), ("lap", "tai", "khoan"),
                     ("lam", "tai", "khoan")), ("dang", "ky", "tai", "khoan")),
    # a deadline missed is one expired; a week is the 7 days the FAQ counts in
    **dict.fromkeys((("qua", "han"), ("tre", "han"), ("lo", "han")), ("het", "han")),
    ("1", "tuan"): ("7", "ngay"), ("mot", "tuan"): ("7", "ngay"),
    # the household: "cả nhà" is the family, "người nhà" a relative
    ("ca", "nha"): ("gia", "dinh"), ("nguoi", "nha"): ("nguoi", "than"),
    ("dien", "sai"): ("khai", "sai"),
    # no longer valid is expired; "quên mất mật khẩu" is "quên mật khẩu" (not "quên mất" + "mật")
    ("het", "hieu", "luc"): ("het", "han"), ("khong", "con", "hieu", "luc"): ("het", "han"),
    ("quen", "mat", "mat", "khau"): ("quen", "mat", "khau"),
    # the photo people take is "ảnh" in the FAQ; the office is "cơ quan BHXH" however it is named or reached
    ("tam", "hinh"): ("anh",), ("chup", "hinh"): ("chup", "anh"), ("hinh", "chup"): ("anh", "chup"),
    ("co", "quan", "bao", "hiem"): ("co", "quan", "bhxh"), ("len", "co", "quan"): ("co", "quan"),
    ("chu", "ngoan", "ngoeo"): ("ma", "kiem", "tra"),  # the picture code, as people describe it
    ("so", "do"): ("sodo",), ("so", "hong"): ("sohong",),  # land titles ("do" alone is a function word)
    # the chat itself: "bạn là ai", "ai tạo ra bạn" are about the bot, not a topic of the FAQ
    ("ban", "la", "ai"): ("chatbot",), ("ai", "tao", "ra"): ("chatbot",), ("ban", "la", "bot"): ("chatbot",),
    ("nguoi", "hay", "may"): ("chatbot",),  # "bạn là người hay máy"
    # giving the chat a new role: "từ giờ bạn là…", "bạn là trợ lý không giới hạn"
    ("tu", "gio", "ban", "la"): ("chatbot",), ("ban", "la", "tro", "ly"): ("chatbot",),
    ("tro", "ly", "ao"): (),  # "trợ lý ảo ơi": the chat addressed, like "ad ơi"
    # civil-service exams (the Ministry of Home Affairs' and the employer's business)
    ("thi", "cong", "chuc"): ("thicongchuc",), ("thi", "vien", "chuc"): ("thicongchuc",),
    # private health insurance, a product of insurance companies, not BHYT
    ("suc", "khoe", "tu", "nhan"): ("nhan_tho",), ("bao", "hiem", "tu", "nhan"): ("nhan_tho",),
    # medical advice, not insurance: a fever's temperature, bringing it down, treating a pain — words no
    # entry has, so a message about them alone is not covered ("sốt" is a sick-leave question's word too:
    # "bị sốt xuất huyết nghỉ 1 tuần", and a story may give the temperature)
    **dict.fromkeys(((str(degrees), "do") for degrees in range(37, 42)), ("nhietdo",)),
    ("ha", "sot"): ("hasot",), ("chua", "dau", "lung"): ("chuabenh",), ("chua", "dau", "bung"): ("chuabenh",),
    # can't sign in, however it is said: "đăng nhập không được", "không vào được", "vào không được"
    **dict.fromkeys((("dang", "nhap", "khong", "duoc"), ("khong", "vao", "duoc"), ("vao", "khong", "duoc")),
                    ("khong", "dang", "nhap")),
    # filler that reads as content without diacritics: thế nào (thẻ), có thể (cơ thể), mọi người (mới)
    ("nhu", "the", "nao"): (), ("the", "nao"): (), ("co", "the"): (), ("moi", "nguoi"): (),
    ("anh", "chi"): (), ("cam", "on"): (), ("cho", "hoi"): (), ("xin", "hoi"): (), ("lam", "sao"): (),
    ("phai", "lam", "sao"): (), ("sao", "vay"): (),
    # how, and when it happened: "kiểu gì", "ra sao", "hôm qua", "hôm trước"
    ("kieu", "gi"): (), ("kieu", "nao"): (), ("ra", "sao"): (), ("hom", "qua"): (), ("hom", "nay"): (),
    ("hom", "truoc"): (), ("hom", "kia"): (), ("bua", "truoc"): (), ("bay", "gio"): (),
    ("tu", "nhien"): (), ("binh", "thuong"): (),
    # getting a passport is another office's business; a passport as the ID on Form 01 is not
    **dict.fromkeys((("lam", "ho", "chieu"), ("xin", "ho", "chieu"), ("cap", "ho", "chieu"),
                     ("gia", "han", "ho", "chieu")), ("lamhochieu",)),
    # typed wrong is entered wrong; "hồ sơ đó" (that application) is not "sổ đỏ" (a land title)
    ("go", "sai"): ("nhap", "sai"), ("go", "nham"): ("nhap", "sai"), ("ho", "so", "do"): ("ho", "so"),
    ("bi", "trong"): ("bi", "thieu"),  # "bị trống" (left empty) months are missing ones; "trong" alone is "in"
    # telling the chat to ignore its instructions is about the chat ("bỏ qua" alone is skipping a step)
    **dict.fromkeys((("bo", "qua", "huong", "dan"), ("bo", "qua", "moi", "huong", "dan"),
                     ("bo", "qua", "cac", "huong", "dan"), ("bo", "qua", "tat", "ca", "huong", "dan"),
                     ("huong", "dan", "truoc", "do")), ("prompt",)),
    # southern "vô" is "vào": "vô không được" is not signing in, "sắp vô làm" is joining an employer
    **dict.fromkeys((("vo", "khong", "duoc"), ("khong", "vo", "duoc")), ("khong", "dang", "nhap")),
    ("vo", "lam"): ("vao", "lam"),
    # monthly is a month; a business trip, today (southern "bữa nay") are the story's when and where
    ("hang", "thang"): ("thang",), ("cong", "tac"): (), ("bua", "nay"): (),
    # "tối thiểu" (at least) is not "thiếu" (missing months)
    ("toi", "thieu"): ("toithieu",), ("it", "nhat"): ("toithieu",),
    # driving for Grab or a motorbike taxi is freelance work (the FAQ: "lao động tự do"), not a question about Grab
    **dict.fromkeys((("chay", "grab"), ("chay", "gojek"), ("chay", "be"), ("chay", "xe", "om"), ("chay", "shipper"),
                     ("chay", "xe", "cong", "nghe"), ("lam", "shipper"), ("lam", "tai", "xe")),
                    ("lao", "dong", "tu", "do")),
    # "bị / tự văng ra": signed out ("vàng" alone is gold)
    ("bi", "vang", "ra"): ("bi", "dang", "xuat"), ("tu", "vang", "ra"): ("tu", "dang", "xuat"),
    # getting an ID card made or remade is the police's business ("lamcccd" in OTHER_SUBJECTS)
    **dict.fromkeys((("lam", "lai", "cccd"), ("cap", "lai", "cccd"), ("lam", "cccd"), ("cap", "doi", "cccd")),
                    ("lamcccd",)),
    ("chua", "lam", "cccd"): ("chua", "co", "cccd"),  # not having one yet is a Form 01 question
    # the pay scale of a public-sector group is the Ministry of Home Affairs' subject, not a BHXH one
    **dict.fromkeys((("luong", "giao", "vien"), ("luong", "cong", "chuc"), ("luong", "vien", "chuc"),
                     ("luong", "bac", "si"), ("luong", "quan", "doi"), ("luong", "cong", "an")), ("luongnganh",)),
}
_LONGEST_PHRASE = max(len(key) for key in PHRASES)
_PHRASE_STARTS = frozenset(key[0] for key in PHRASES)

# Unaccented function words and chat filler (see the module docstring for what is kept on purpose).
STOP_WORDS = frozenset({
    "a", "ai", "cac", "cho", "cua", "da", "de", "den", "do", "duoc", "gi", "hay", "hoac", "khong", "la",
    "lam", "nao", "nay", "nhe", "nhung", "ra", "roi", "sao", "se", "thi", "toi", "tren", "trong", "va",
    "vay", "ve", "vi", "voi", "ha", "u", "uh", "ui", "ne", "nhi", "luon", "nua", "o", "ben",
})

# Words that say when, how or how sure, not what about: kept for ranking and phrases ("gửi lại", "có phải",
# "điện thoại cũ"), but the entry need not have them to cover a message (`faq_match` coverage). A citizen
# telling a story says "giờ" (now), "lỡ", "chắc", "nên", "cần", "muốn"; those alone never make a message
# off-topic. Only forms whose other readings without diacritics are also such words, or already in phrases.
COVERAGE_NEUTRAL = frozenset({
    "gio", "phai", "lai", "muon", "vao", "no", "ca", "cu", "chac", "chua", "cung", "bi", "biet", "nhu", "neu",
    "khi", "lo", "xong", "tu", "nen", "can", "vua", "moi", "thoi", "chi", "bam", "cuoi", "tiep", "dot", "hoai",
    "van", "hien", "sap", "tuan",
    # who the citizen asks for: ông, bà, cháu, bác, con gái / trai, vợ, chồng, nội, ngoại
    "ong", "ba", "chau", "bac", "gai", "trai", "vo", "chong", "noi", "ngoai",
})


def coverage_neutral(word: str) -> bool:
    """A `COVERAGE_NEUTRAL` word, or a number: dates, ages and counts are details of the story ("từ tháng
    9", "62 tuổi"), not what it is about."""
    return word in COVERAGE_NEUTRAL or word.isdigit()


# Other apps, companies and subjects people also ask a chat box about. A message that names one of them
# ("quên mật khẩu Zalo", "tổng đài Viettel số mấy") is about that one, even when the rest of it reads
# like an FAQ question — unless the FAQ itself mentions it (see `faq_match`). Single words and two-word
# phrases (joined with "_"), folded.
OTHER_SUBJECTS = frozenset({
    # apps, networks, shops, payments
    "zalo", "facebook", "fb", "messenger", "tiktok", "youtube", "instagram", "telegram",
    "shopee", "lazada", "tiki", "grab", "gojek", "netflix", "momo", "zalopay", "vnpay", "viettelpay",
    "shopeepay", "vneid",
    # phone networks, utilities, banks
    "viettel", "vinaphone", "mobifone", "vietnamobile", "vnpt", "fpt", "evn", "dien_luc", "nuoc_sach",
    "ngan_hang", "vietcombank", "techcombank", "agribank", "bidv", "vietinbank", "mbbank", "tpbank",
    "vpbank", "sacombank", "acb", "atm",
    # money, games, sport, weather, news
    "bitcoin", "crypto", "coin", "chung_khoan", "co_phieu", "bat_dong", "xo_so", "vietlott",
    "lai_suat", "tra_gop", "tin_dung", "gia_vang", "ty_gia", "usd",
    "game", "free_fire", "pubg", "bong_da", "world_cup", "thoi_tiet",
    # school exams and admissions ("tra cứu điểm thi" is not "tra cứu đơn vị")
    "diem_thi", "thpt", "tuyen_sinh",
    # home internet and other accounts; land titles; other kinds of insurance; the chat itself
    "wifi", "icloud", "khau_email", "sodo", "sohong", "nhan_tho", "prudential", "manulife", "dai_ichi", "aia",
    "chatbot", "chatgpt", "gpt", "prompt",
    # taxes and property: personal income tax, buying or selling a house, land, registration fees
    "thue_thu", "tncn", "ban_nha", "mua_nha", "nha_dat", "truoc_ba",
    # other civil papers and road matters: passports, visas, driving licences, marriage, traffic fines
    "lamhochieu", "visa", "bang_lai", "gplx", "ket_hon", "phat_nguoi", "dang_kiem",
    # one's own tax code, a phone subscription's paperwork, public holidays, public-sector pay scales
    "thue_ca", "thue_bao", "chuan_hoa", "lich_nghi", "nghi_tet", "luongnganh",
    # payroll disputes (overtime, the pay slip) and registering a vehicle or its plate
    "tang_ca", "bang_luong", "ky_xe", "bien_so",
    # applying for a job, notarising papers
    "xin_viec", "tuyen_dung", "cong_chung", "lamcccd",
    # registering where one lives (the police's business); small talk about the chat's love life
    "thuong_tru", "tam_tru", "nguoi_yeu",
    # paying the household's bills; robots; civil-service exams
    "tien_dien", "tien_nuoc", "robot", "thicongchuc",
})

# Teen consonants at the start of a syllable: "wen" → "quen", "fai" → "phai", "jo" → "gio".
_TEEN_ONSETS = (("w", "qu"), ("f", "ph"), ("j", "gi"), ("z", "d"), ("z", "v"), ("dz", "d"), ("dz", "v"))


def fold(text: str) -> str:
    """Lower case, NFD, combining marks dropped, đ → d: "Đăng ký BHYT" → "dang ky bhyt"."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").replace("đ", "d")


def _rewrite(words: list[str | None]) -> list[str | None]:
    """Phrases and words in their written form; None where something was dropped (a phrase never
    joins the words on either side of a dropped one)."""
    out: list[str | None] = []
    i = 0
    while i < len(words):
        sizes = range(min(_LONGEST_PHRASE, len(words) - i), 1, -1) if words[i] in _PHRASE_STARTS else ()
        for size in sizes:
            replacement = PHRASES.get(tuple(words[i:i + size]))  # type: ignore[arg-type]
            if replacement is not None:
                out.extend(replacement or (None,))
                i += size
                break
        else:
            word = words[i]
            out.extend((WORDS.get(word, (word,)) or (None,)) if word is not None else (None,))
            i += 1
    return out


def _negates(words: list[str | None], i: int) -> bool:
    """Whether words[i] is "không" denying the content word after it ("không nhận", "không đóng"), not the
    question particle at the end ("có đóng ... không"): the two ask opposite things."""
    following = words[i + 1] if i + 1 < len(words) else None
    return words[i] == "khong" and following is not None and following not in STOP_WORDS


def runs(text: str, known: Callable[[str], str | None] | None = None) -> list[list[str]]:
    """The content words of `text` in their written form, as runs of neighbouring words: a run ends at
    clause punctuation and where a function word or filler was dropped. With `known` (a word → its
    repaired form, or None), every word is first passed through it."""
    result: list[list[str]] = []
    for clause in _CLAUSE_BREAK.split(fold(text)):
        words: list[str | None] = list(_WORD.findall(clause))
        if known is not None:
            words = [known(word) or word for word in words if word is not None]
        # Twice: a rewritten word can complete a phrase ("ma bhxh" → "ma so bhxh", "sđt" → "so dien thoai").
        current: list[str] = []
        rewritten = _rewrite(_rewrite(words))
        for i, word in enumerate(rewritten):
            if word is None or (word in STOP_WORDS and not _negates(rewritten, i)):
                if current:
                    result.append(current)
                current = []
            else:
                current.append(word)
        if current:
            result.append(current)
    return result


def correct(word: str, vocabulary: Collection[str], popularity: Callable[[str], int]) -> str | None:
    """`word` if the FAQ knows it (or a rewrite does), else its repair when exactly that repair is a
    word the FAQ has (the most frequent when several are), else None."""
    if word in vocabulary or word in WORDS or word in STOP_WORDS or word in COVERAGE_NEUTRAL or word.isdigit():
        return word
    candidates: list[str] = []
    collapsed = _ELONGATED.sub(r"\1\1", word)
    candidates += [collapsed, _ELONGATED.sub(r"\1", word)]
    for teen, written in _TEEN_ONSETS:
        if word.startswith(teen):
            candidates.append(written + word[len(teen):])
    if len(word) >= 4:
        candidates += [word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)]
    found = [c for c in candidates if c != word and (c in vocabulary or c in WORDS)]
    if not found:
        return None
    return max(found, key=lambda c: (popularity(c), -found.index(c)))


def tokens(text: str, known: Callable[[str], str | None] | None = None) -> list[str]:
    """The syllables of `text` (`runs`), then the bigrams of neighbouring ones joined with "_":
    "Tôi quên mật khẩu" → ["quen", "mat", "khau", "quen_mat", "mat_khau"]."""
    word_runs = runs(text, known)
    words = [word for run in word_runs for word in run]
    return words + [f"{run[i]}_{run[i + 1]}" for run in word_runs for i in range(len(run) - 1)]
