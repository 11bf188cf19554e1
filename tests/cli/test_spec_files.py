"""Spec files a user gives `normlab submit`: read, or refused in one line."""

from pathlib import Path

import pytest

from cli.main import InputError, read_spec


def test_a_spec_file_is_read_as_its_json_object(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text('{"name": "lr", "seeds": [0, 1]}')
    assert read_spec(str(path)) == {"name": "lr", "seeds": [0, 1]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read {path}: No such file or directory"),
        (b"\xff\xfe\x00", "{path} is not a text file"),
        (b'{"name": ', "{path} is not valid JSON: Expecting value: line 1 column 10 (char 9)"),
        (b'"a string"', "{path} must hold a JSON object, the experiment spec"),
    ],
)
def test_an_unusable_spec_file_is_one_clear_message(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "spec.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        read_spec(str(path))
    assert str(raised.value) == message.format(path=path)
