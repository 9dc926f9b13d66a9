"""Small real datasets bundled with leafgrad (no download), and a train/test split.

``load_digits()``: the UCI optical-recognition handwritten digits (E. Alpaydin and
C. Kaynak, 1998; CC BY 4.0), 1,797 8x8 images of the digits 0..9.

>>> X, y = load_digits()
>>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y)
>>> len(X_train), len(X_test)
(1437, 360)
"""

from __future__ import annotations

from ._digits import DIGITS_CITATION, DIGITS_SHA256, Digits, load_digits
from ._split import train_test_split

__all__ = ["DIGITS_CITATION", "DIGITS_SHA256", "Digits", "load_digits", "train_test_split"]
