"""The closed set of errors a client can see, each with a stable code and bilingual messages.

Handlers never build error JSON by hand: they raise one of these and `render_error` shapes the body.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """An error a client caused or can act on; never a stack trace."""

    status: int = 400
    code: str = "BAD_REQUEST"
    message: str = "The request could not be processed."
    message_vi: str = "Không thể xử lý yêu cầu."

    def __init__(
        self,
        message: str | None = None,
        message_vi: str | None = None,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message
        if message_vi:
            self.message_vi = message_vi
        self.fields = fields
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "message_vi": self.message_vi}
        if self.fields:
            error["fields"] = self.fields
        error.update(self.extra)
        return {"error": error}


class BadRequestError(AppError):
    status, code = 400, "BAD_REQUEST"
    message = "The request body is not valid JSON object."
    message_vi = "Nội dung yêu cầu không phải là đối tượng JSON hợp lệ."


class ValidationFailedError(AppError):
    status, code = 400, "VALIDATION_FAILED"
    message = "Some fields are missing or invalid."
    message_vi = "Một số trường bị thiếu hoặc không hợp lệ."


class InvalidTokenError(ValidationFailedError):
    code = "INVALID_TOKEN"
    message = "The next_token was not issued for this list; start again without it."
    message_vi = "Mã trang (next_token) không thuộc danh sách này; vui lòng tải lại từ đầu."

    def __init__(self) -> None:
        super().__init__(fields={"next_token": "is not a token this API gave out for this list"},
                         extra={"fields_vi": {"next_token": "không phải mã trang do hệ thống cấp cho danh sách này"}})


class FieldProblems:
    """Every bad field of a request, collected and then reported at once in English and Vietnamese."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.fields_vi: dict[str, str] = {}

    def add(self, name: str, en: str, vi: str) -> None:
        self.fields.setdefault(name, en)
        self.fields_vi.setdefault(name, vi)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailedError(fields=self.fields, extra={"fields_vi": self.fields_vi})


class UnauthorizedError(AppError):
    status, code = 401, "UNAUTHORIZED"
    message = "Sign in to continue."
    message_vi = "Vui lòng đăng nhập để tiếp tục."


class InvalidCredentialsError(AppError):
    status, code = 401, "INVALID_CREDENTIALS"
    message = "The username, password or code is incorrect."
    message_vi = "Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng."


class ForbiddenError(AppError):
    status, code = 403, "FORBIDDEN"
    message = "You may not do this."
    message_vi = "Bạn không có quyền thực hiện thao tác này."


class NotFoundError(AppError):
    status, code = 404, "NOT_FOUND"
    message = "Not found."
    message_vi = "Không tìm thấy."


class RegistrationNotFoundError(NotFoundError):
    code = "REGISTRATION_NOT_FOUND"
    message = "No registration with this id and key."
    message_vi = "Không tìm thấy tờ khai với mã và khóa truy cập này."


class MethodNotAllowedError(AppError):
    status, code = 405, "METHOD_NOT_ALLOWED"
    message = "This method is not allowed here."
    message_vi = "Phương thức này không được hỗ trợ."


class ConflictError(AppError):
    status, code = 409, "CONFLICT"
    message = "The request conflicts with the current state."
    message_vi = "Yêu cầu xung đột với trạng thái hiện tại."


class AccountExistsError(ConflictError):
    code = "ACCOUNT_EXISTS"
    message = "This social-insurance number already has an account."
    message_vi = "Mã số BHXH này đã có tài khoản giao dịch điện tử."


class RegistrationExistsError(ConflictError):
    code = "REGISTRATION_EXISTS"
    message = "This social-insurance number already has a registration in progress."
    message_vi = "Mã số BHXH này đang có một tờ khai chưa được xử lý xong."


class RegisterMismatchError(AppError):
    """The number is not in the register, or the register's person differs: one answer for both, never
    naming the field, so a registration is not a way to learn who is in the register."""

    status, code = 422, "REGISTER_MISMATCH"
    message = ("The social-insurance number does not match the full name, date of birth and ID number we hold. "
               "Check the number with the look-up (Tra cứu mã số BHXH) or call your social-insurance office "
               "or 1900 9068.")
    message_vi = ("Mã số BHXH không khớp với họ tên, ngày sinh và số giấy tờ tùy thân trong cơ sở dữ liệu. "
                  "Vui lòng tra cứu lại mã số BHXH hoặc liên hệ cơ quan BHXH, tổng đài 1900 9068.")


class RegisterConflictError(ConflictError):
    """Staff approving a registration the register contradicts (or no longer knows)."""

    code = "REGISTER_CONFLICT"
    message = ("The register's data for this social-insurance number does not match the form; no account can be "
               "created. Compare them in the registration (`register`) and reject it with the reason.")
    message_vi = ("Dữ liệu của mã số BHXH này trong cơ sở dữ liệu không khớp với tờ khai; không thể tạo tài khoản. "
                  "Vui lòng đối chiếu (mục `register`) và từ chối tờ khai kèm lý do.")


class InvalidStateError(ConflictError):
    code = "INVALID_STATE"
    message = "The registration cannot be changed in its current status."
    message_vi = "Không thể thay đổi tờ khai ở trạng thái hiện tại."


class AlreadyDecidedError(ConflictError):
    code = "ALREADY_DECIDED"
    message = "This registration has already been decided."
    message_vi = "Tờ khai này đã được xử lý."


class IdempotencyKeyReusedError(AppError):
    status, code = 422, "IDEMPOTENCY_KEY_REUSED"
    message = "This Idempotency-Key was already used with a different request."
    message_vi = "Khóa Idempotency-Key đã được dùng cho một yêu cầu khác."


class RequestInProgressError(ConflictError):
    code = "REQUEST_IN_PROGRESS"
    message = "The same request is still being processed; retry shortly."
    message_vi = "Yêu cầu giống hệt đang được xử lý; vui lòng thử lại sau giây lát."


class DeadlinePassedError(AppError):
    status, code = 410, "DEADLINE_PASSED"
    message = "The 10-day verification window has ended."
    message_vi = "Đã hết thời hạn 10 ngày để xác minh hồ sơ."


class DocumentsMissingError(AppError):
    status, code = 422, "DOCUMENTS_MISSING"
    message = "Upload the ID card front, back and a portrait before submitting."
    message_vi = "Vui lòng tải lên ảnh mặt trước, mặt sau giấy tờ tùy thân và ảnh chân dung trước khi gửi."


class DocumentInvalidError(AppError):
    status, code = 422, "DOCUMENT_INVALID"
    message = "An uploaded image is not a JPEG/PNG within the size limits."
    message_vi = "Ảnh đã tải lên không phải JPEG/PNG hoặc không đúng giới hạn dung lượng."


class PayloadTooLargeError(AppError):
    status, code = 413, "PAYLOAD_TOO_LARGE"
    message = "The request body is too large."
    message_vi = "Nội dung yêu cầu quá lớn."


class ServiceUnavailableError(AppError):
    status, code = 503, "SERVICE_UNAVAILABLE"
    message = "A backing service is busy; retry with the same Idempotency-Key."
    message_vi = "Hệ thống đang bận; vui lòng thử lại với cùng Idempotency-Key."

    def __init__(self, retry_after: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.headers.setdefault("Retry-After", str(retry_after))


class InternalError(AppError):
    status, code = 500, "INTERNAL_ERROR"
    message = "Something went wrong on our side; it has been logged."
    message_vi = "Đã xảy ra lỗi phía hệ thống; lỗi đã được ghi nhận."


# Citizen sign-in (issue 3)
class CaptchaInvalidError(AppError):
    status, code = 400, "CAPTCHA_INVALID"
    message = "The captcha answer is wrong or has expired; get a new captcha."
    message_vi = "Mã kiểm tra không đúng hoặc đã hết hạn; vui lòng lấy mã mới."


class AccountLockedError(AppError):
    status, code = 423, "ACCOUNT_LOCKED"
    message = "Too many failed sign-ins; the account is locked for a while."
    message_vi = "Đăng nhập sai quá nhiều lần; tài khoản tạm thời bị khóa."


class InitialPasswordExpiredError(AppError):
    status, code = 401, "INITIAL_PASSWORD_EXPIRED"
    message = "The initial password has expired or was already used; reset it with a code sent by SMS."
    message_vi = "Mật khẩu khởi tạo đã hết hạn hoặc đã được dùng; vui lòng đặt lại bằng mã gửi qua SMS."


class DeviceConflictError(ConflictError):
    code = "DEVICE_CONFLICT"
    message = "The account is in use on another device; confirm with a code sent by SMS to move it here."
    message_vi = (
        "Tài khoản đang được dùng trên thiết bị khác; xác nhận bằng mã gửi qua SMS để chuyển sang thiết bị này."
    )


class SessionReplacedError(AppError):
    status, code = 401, "SESSION_REPLACED"
    message = "The account was signed in on another device."
    message_vi = "Tài khoản đã được đăng nhập trên thiết bị khác."


class PasswordChangeRequiredError(AppError):
    status, code = 403, "PASSWORD_CHANGE_REQUIRED"
    message = "Change your password to continue."
    message_vi = "Vui lòng đổi mật khẩu để tiếp tục."


class ChallengeNotFoundError(NotFoundError):
    code = "CHALLENGE_NOT_FOUND"
    message = "This confirmation has ended; sign in again."
    message_vi = "Phiên xác nhận đã kết thúc; vui lòng đăng nhập lại."


class OtpInvalidError(AppError):
    status, code = 400, "OTP_INVALID"
    message = "The code is wrong or has expired."
    message_vi = "Mã xác thực không đúng hoặc đã hết hạn."


class OtpTriesExceededError(AppError):
    status, code = 429, "OTP_TRIES_EXCEEDED"
    message = "Too many wrong codes; start again."
    message_vi = "Nhập sai mã quá nhiều lần; vui lòng thực hiện lại từ đầu."


class TooManyRequestsError(AppError):
    status, code = 429, "TOO_MANY_REQUESTS"
    message = "Too many requests; try again later."
    message_vi = "Quá nhiều yêu cầu; vui lòng thử lại sau."

    def __init__(self, retry_after: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.headers.setdefault("Retry-After", str(max(int(retry_after), 1)))


class SmsLimitError(TooManyRequestsError):
    code = "SMS_LIMIT_REACHED"
    message = "Too many text messages for this account or phone number; try again later."
    message_vi = "Đã gửi quá nhiều tin nhắn cho tài khoản hoặc số điện thoại này; vui lòng thử lại sau."


class ResendTooSoonError(TooManyRequestsError):
    code = "OTP_RESEND_TOO_SOON"
    message = "A code was sent moments ago; wait before asking for another."
    message_vi = "Mã vừa được gửi; vui lòng chờ trước khi yêu cầu mã mới."


class StaffLoginLimitError(TooManyRequestsError):
    """Too many staff sign-in attempts from one source address this hour (code TOO_MANY_REQUESTS)."""

    message = "Too many sign-in attempts from this network; try again later."
    message_vi = "Đăng nhập quá nhiều lần từ mạng này; vui lòng thử lại sau."
