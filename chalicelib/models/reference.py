"""Reference data: provinces (tỉnh, thành phố) and social-insurance offices (cơ quan BHXH)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.models.base import region, table_name


class Province(Model):
    class Meta:
        table_name = table_name("PROVINCES_TABLE", "vssid-provinces")
        region = region()

    country = UnicodeAttribute(hash_key=True, default="VN")  # one small partition: a Query lists all
    province_code = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    provincial_office_code = UnicodeAttribute(null=True)


class ProvinceIndex(GlobalSecondaryIndex["Office"]):
    class Meta:
        index_name = "province-index"
        projection = AllProjection()

    province_code = UnicodeAttribute(hash_key=True)
    office_code = UnicodeAttribute(range_key=True)


class Office(Model):
    """A social-insurance office as it is after the 2025 reform: the provincial BHXH (no `parent_name`) or
    a grassroots office (BHXH cơ sở, named after its area) with the wards and communes it serves and the
    names it had before (kept so "quận Hoàn Kiếm" still finds it). Codes (HN-HK …) never change."""

    class Meta:
        table_name = table_name("OFFICES_TABLE", "vssid-offices")
        region = region()

    office_code = UnicodeAttribute(hash_key=True)
    province_code = UnicodeAttribute()
    name = UnicodeAttribute()
    parent_name = UnicodeAttribute(null=True)  # e.g. "BHXH TP Hà Nội" above "BHXH cơ sở Hoàn Kiếm"
    address = UnicodeAttribute()  # ward (phường, xã) and province after the reform, no quận/huyện
    phone = UnicodeAttribute(null=True)  # None when no number can be cited
    lat = NumberAttribute()
    lon = NumberAttribute()
    # Giờ làm việc, as the citizen reads it (named in the deadline SMS and on Form 01); None when not known.
    opening_hours_vi = UnicodeAttribute(null=True)
    opening_hours_en = UnicodeAttribute(null=True)
    served_areas = ListAttribute(of=UnicodeAttribute, null=True)  # phường, xã served (grassroots offices)
    former_names = ListAttribute(of=UnicodeAttribute, null=True)  # e.g. "BHXH quận Hoàn Kiếm"
    demo = BooleanAttribute(null=True)  # True: not every fact here is cited (data/reference/SOURCES.md)

    province_index = ProvinceIndex()

    def as_api(self) -> dict[str, object]:
        return {
            "code": self.office_code,
            "name": self.name,
            "parent_name": self.parent_name,
            "province_code": self.province_code,
            "address": self.address,
            "phone": self.phone,
            "lat": float(self.lat),
            "lon": float(self.lon),
            "opening_hours": ({"vi": self.opening_hours_vi, "en": self.opening_hours_en or self.opening_hours_vi}
                              if self.opening_hours_vi else None),
            "served_areas": list(self.served_areas or []),
            "former_names": list(self.former_names or []),
            "demo": bool(self.demo),
        }
