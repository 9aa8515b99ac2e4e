"""The minisign file formats (public key, encrypted secret key, signature) over `cryptography`'s Ed25519.

No maintained Python package writes minisign secret keys with a chosen scrypt cost and checks every
field strictly, so this small module does it. Files it writes are read by the stock `minisign` tool
(`minisign -V` verifies our signatures; `minisign -S -s` can sign with our secret key file), and it
parses strictly: a file that would not re-encode to the same bytes is refused, so there is exactly
one accepted encoding of each signature.

Formats (https://jedisct1.github.io/minisign/):
  public key   "Ed" ‖ key id (8) ‖ Ed25519 public key (32), base64, after an untrusted comment line
  secret key   "Ed" ‖ "Sc" ‖ "B2" ‖ salt (32) ‖ opslimit (u64 LE) ‖ memlimit (u64 LE) ‖
               (key id ‖ seed ‖ public key ‖ BLAKE2b-256 checksum) XOR scrypt(passphrase, salt)
  signature    "ED" ‖ key id ‖ Ed25519(BLAKE2b-512(message)), then the trusted comment and a
               global signature over (signature ‖ trusted comment); the legacy "Ed" form (Ed25519
               over the message itself) is refused, as the bundle format allows only "ED"
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

SIG_ALG = b"Ed"
SIG_ALG_HASHED = b"ED"
KDF_ALG = b"Sc"
CHK_ALG = b"B2"
UNTRUSTED_PREFIX = "untrusted comment: "
TRUSTED_PREFIX = "trusted comment: "
KEY_ID_BYTES = 8
SALT_BYTES = 32
KEYNUM_SK_BYTES = KEY_ID_BYTES + 64 + 32
SECRET_BLOB_BYTES = 2 + 2 + 2 + SALT_BYTES + 8 + 8 + KEYNUM_SK_BYTES
MAX_COMMENT_BYTES = 1024

# scrypt cost written into new keys: libsodium's pickparams() turns (opslimit, memlimit) into
# N = 2^16, r = 8, p = 1 (64 MiB, about 0.2 s), so `minisign` derives the same stream as we do.
DEFAULT_OPSLIMIT = 2**21
DEFAULT_MEMLIMIT = 2**27
MAX_SCRYPT_LOG2_N = 20  # refuse key files that would make us allocate more than 1 GiB


class MinisignError(ValueError):
    """A minisign file or signature is malformed or does not verify; `kind` says which."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def _b64decode(text: str, expected_len: int, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise MinisignError(f"{what} không phải base64 hợp lệ", "malformed") from None
    if len(raw) != expected_len or base64.b64encode(raw).decode("ascii") != text:
        raise MinisignError(f"{what} có độ dài hoặc cách mã hóa không đúng", "malformed")
    return raw


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _comment_line(prefix: str, comment: str) -> str:
    if "\n" in comment or "\r" in comment or len(comment.encode("utf-8")) > MAX_COMMENT_BYTES:
        raise MinisignError("lời chú thích phải nằm trên một dòng và ngắn hơn 1024 byte", "malformed")
    return f"{prefix}{comment}\n"


def format_key_id(key_id: bytes) -> str:
    """The key id as minisign prints it: the 8 bytes read as a little-endian integer, in hex."""
    return f"{int.from_bytes(key_id, 'little'):016X}"


def parse_key_id(text: str) -> bytes:
    cleaned = text.strip().upper()
    if len(cleaned) != 16 or any(c not in "0123456789ABCDEF" for c in cleaned):
        raise MinisignError(f"“{text}” không phải mã khóa (16 chữ số hệ 16)", "malformed")
    return int(cleaned, 16).to_bytes(KEY_ID_BYTES, "little")


@dataclass(frozen=True)
class PublicKey:
    key_id: bytes
    key: bytes

    @property
    def blob(self) -> bytes:
        return SIG_ALG + self.key_id + self.key

    @property
    def key_id_hex(self) -> str:
        return format_key_id(self.key_id)

    def to_base64(self) -> str:
        """The one-line form that `minisign -P` takes."""
        return _b64(self.blob)

    @property
    def fingerprint(self) -> str:
        """128 bits of SHA-256 over the key blob, in 8 groups of 4: short enough to read over the phone."""
        digest = hashlib.sha256(self.blob).hexdigest().upper()[:32]
        return " ".join(digest[i : i + 4] for i in range(0, 32, 4))

    def file_text(self, comment: str | None = None) -> str:
        return _comment_line(UNTRUSTED_PREFIX, comment or f"minisign public key {self.key_id_hex}") + self.to_base64() + "\n"

    @classmethod
    def from_base64(cls, text: str) -> PublicKey:
        raw = _b64decode(text.strip(), 42, "Khóa công khai")
        if raw[:2] != SIG_ALG:
            raise MinisignError("Khóa công khai không phải loại Ed25519 của minisign", "malformed")
        return cls(raw[2:10], raw[10:])

    @classmethod
    def from_text(cls, text: str) -> PublicKey:
        """Either the bare base64 line or a whole `.pub` file (untrusted comment + key line)."""
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        if len(lines) == 2 and lines[0].startswith(UNTRUSTED_PREFIX):
            return cls.from_base64(lines[1])
        if len(lines) == 1:
            return cls.from_base64(lines[0])
        raise MinisignError("Không đọc được khóa công khai (cần một dòng base64 hoặc tệp .pub)", "malformed")

    def verify(self, message: bytes, signature: Signature) -> None:
        """Check both minisign signatures; raises MinisignError with kind key-mismatch/bad-signature."""
        if signature.key_id != self.key_id:
            raise MinisignError(
                f"chữ ký dùng khóa {format_key_id(signature.key_id)}, không phải khóa {self.key_id_hex}", "key-mismatch"
            )
        verifier = Ed25519PublicKey.from_public_bytes(self.key)
        signed = hashlib.blake2b(message, digest_size=64).digest() if signature.algorithm == SIG_ALG_HASHED else message
        try:
            verifier.verify(signature.signature, signed)
        except InvalidSignature:
            raise MinisignError("chữ ký không khớp với nội dung", "bad-signature") from None
        try:
            verifier.verify(signature.global_signature, signature.signature + signature.trusted_comment.encode("utf-8"))
        except InvalidSignature:
            raise MinisignError("chữ ký của lời chú thích tin cậy không khớp", "bad-signature") from None


@dataclass(frozen=True)
class Signature:
    algorithm: bytes
    key_id: bytes
    signature: bytes
    trusted_comment: str
    global_signature: bytes
    untrusted_comment: str

    def text(self) -> str:
        return (
            _comment_line(UNTRUSTED_PREFIX, self.untrusted_comment)
            + _b64(self.algorithm + self.key_id + self.signature)
            + "\n"
            + _comment_line(TRUSTED_PREFIX, self.trusted_comment)
            + _b64(self.global_signature)
            + "\n"
        )

    @classmethod
    def parse(cls, data: bytes) -> Signature:
        """Strict: four LF-terminated lines, canonical base64, nothing else."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise MinisignError("tệp chữ ký không phải văn bản UTF-8", "malformed") from None
        lines = text.split("\n")
        if len(lines) != 5 or lines[4] != "":
            raise MinisignError("tệp chữ ký phải có đúng 4 dòng", "malformed")
        untrusted, sig_line, trusted, global_line = lines[:4]
        if not untrusted.startswith(UNTRUSTED_PREFIX) or not trusted.startswith(TRUSTED_PREFIX):
            raise MinisignError("tệp chữ ký thiếu dòng chú thích", "malformed")
        raw = _b64decode(sig_line, 2 + KEY_ID_BYTES + 64, "Chữ ký")
        if raw[:2] == SIG_ALG:  # legacy minisign (before 0.8): the spec allows only the prehashed form
            raise MinisignError("chữ ký theo kiểu cũ “Ed” (không băm trước), định dạng gói chỉ nhận kiểu “ED”",
                                "legacy")
        if raw[:2] != SIG_ALG_HASHED:
            raise MinisignError("thuật toán chữ ký không được hỗ trợ", "malformed")
        parsed = cls(
            algorithm=raw[:2],
            key_id=raw[2:10],
            signature=raw[10:],
            trusted_comment=trusted[len(TRUSTED_PREFIX) :],
            global_signature=_b64decode(global_line, 64, "Chữ ký chung"),
            untrusted_comment=untrusted[len(UNTRUSTED_PREFIX) :],
        )
        if parsed.text().encode("utf-8") != data:
            raise MinisignError("tệp chữ ký không ở dạng chuẩn", "malformed")
        return parsed


def _checksum(key_id: bytes, sk: bytes) -> bytes:
    return hashlib.blake2b(SIG_ALG + key_id + sk, digest_size=32).digest()


def scrypt_params(opslimit: int, memlimit: int) -> tuple[int, int, int]:
    """(log2 N, r, p) exactly as libsodium's pickparams() derives them from minisign's limits."""
    opslimit = max(opslimit, 32768)
    r = 8
    if opslimit < memlimit // 32:
        p = 1
        max_n = opslimit // (r * 4)
        log2_n = 1
        while log2_n < 63 and (1 << log2_n) <= max_n // 2:
            log2_n += 1
    else:
        max_n = memlimit // (r * 128)
        log2_n = 1
        while log2_n < 63 and (1 << log2_n) <= max_n // 2:
            log2_n += 1
        max_rp = min((opslimit // 4) // (1 << log2_n), 0x3FFFFFFF)
        p = max_rp // r
    return log2_n, r, p


def _stream(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    log2_n, r, p = scrypt_params(opslimit, memlimit)
    if log2_n > MAX_SCRYPT_LOG2_N or not 1 <= p <= 16:
        raise MinisignError("tham số scrypt của tệp khóa bất thường", "malformed")
    n = 1 << log2_n
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=128 * r * (n + p + 2) + 65536, dklen=KEYNUM_SK_BYTES)


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


class SecretKey:
    """An unlocked Ed25519 signing key with its minisign key id; never written unencrypted."""

    def __init__(self, key_id: bytes, private: Ed25519PrivateKey) -> None:
        self.key_id = key_id
        self._private = private

    @classmethod
    def generate(cls) -> SecretKey:
        return cls(os.urandom(KEY_ID_BYTES), Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> PublicKey:
        return PublicKey(self.key_id, self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    def sign(self, message: bytes, trusted_comment: str, untrusted_comment: str) -> Signature:
        signature = self._private.sign(hashlib.blake2b(message, digest_size=64).digest())
        _comment_line(TRUSTED_PREFIX, trusted_comment)
        global_signature = self._private.sign(signature + trusted_comment.encode("utf-8"))
        return Signature(SIG_ALG_HASHED, self.key_id, signature, trusted_comment, global_signature, untrusted_comment)

    def encrypted_file_text(
        self, passphrase: str, comment: str, *, opslimit: int = DEFAULT_OPSLIMIT, memlimit: int = DEFAULT_MEMLIMIT
    ) -> str:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        seed = self._private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        sk = seed + self.public_key.key
        salt = os.urandom(SALT_BYTES)
        keynum_sk = self.key_id + sk + _checksum(self.key_id, sk)
        blob = (
            SIG_ALG + KDF_ALG + CHK_ALG + salt + opslimit.to_bytes(8, "little") + memlimit.to_bytes(8, "little")
            + _xor(keynum_sk, _stream(passphrase, salt, opslimit, memlimit))
        )
        return _comment_line(UNTRUSTED_PREFIX, comment) + _b64(blob) + "\n"

    @classmethod
    def decrypt_file_text(cls, text: str, passphrase: str) -> SecretKey:
        """Unlock a minisign secret key file; kind "wrong-passphrase" when the checksum fails."""
        lines = text.split("\n")
        if len(lines) < 2 or not lines[0].startswith(UNTRUSTED_PREFIX):
            raise MinisignError("tệp khóa bí mật không đúng dạng minisign", "malformed")
        blob = _b64decode(lines[1].strip(), SECRET_BLOB_BYTES, "Khóa bí mật")
        if blob[:2] != SIG_ALG or blob[2:4] != KDF_ALG or blob[4:6] != CHK_ALG:
            raise MinisignError("tệp khóa bí mật dùng thuật toán không được hỗ trợ", "malformed")
        salt = blob[6:38]
        opslimit = int.from_bytes(blob[38:46], "little")
        memlimit = int.from_bytes(blob[46:54], "little")
        keynum_sk = _xor(blob[54:], _stream(passphrase, salt, opslimit, memlimit))
        key_id, sk, checksum = keynum_sk[:8], keynum_sk[8:72], keynum_sk[72:]
        if _checksum(key_id, sk) != checksum:
            raise MinisignError("sai cụm mật khẩu", "wrong-passphrase")
        private = Ed25519PrivateKey.from_private_bytes(sk[:32])
        key = cls(key_id, private)
        if key.public_key.key != sk[32:]:
            raise MinisignError("tệp khóa bí mật bị hỏng", "malformed")
        return key
