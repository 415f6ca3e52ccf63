"""The config file is validated on load, naming the bad key and the expected value."""

from __future__ import annotations

import pytest

from creator_assistant.config import ConfigError, load_config
from creator_assistant.profiles import ProfileError, SamplingProfile


def test_missing_file_means_defaults(tmp_path):
    assert load_config(tmp_path / "none.toml").models.gpu_layers == 0


def test_threads_default_to_the_hardware_recommendation(tmp_path):
    from creator_assistant.library import hardware

    assert load_config(tmp_path / "none.toml").models.threads == hardware.default_threads()
    assert hardware.default_threads() == hardware.recommended_threads(hardware.detect())
    path = tmp_path / "c.toml"
    path.write_text("[models]\nthreads = 5\n")
    assert load_config(path).models.threads == 5


def test_valid_overrides_load(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[tasks.script]\ntemperature = 0.9\nmodel = "gemma-3-4b"\n')
    cfg = load_config(path)
    assert cfg.tasks["script"].profile_overrides() == {"temperature": 0.9}


@pytest.mark.parametrize("text, needle", [
    ("[tasks.script]\ntemprature = 0.9\n", "config.tasks.script.temprature: unknown key"),
    ("[models]\nthreads = 0\n", "config.models.threads: input should be greater than"),
    ("[models\n", "not valid TOML"),
    ("[modles]\nx=1\n", "config.modles: unknown key"),
])
def test_bad_config_names_the_key(tmp_path, text, needle):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=needle.replace(".", r"\.")):
        load_config(path)


def test_profile_override_out_of_range_names_the_key():
    with pytest.raises(ProfileError, match=r"tasks\.blog\.temperature: .*less than or equal to 2"):
        SamplingProfile().with_overrides({"temperature": 7}, "tasks.blog")
