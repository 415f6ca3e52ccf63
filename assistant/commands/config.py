"""`creator config path`."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    config = sub.add_parser("config", help="where the config and data live",
                            description="Where the config file, database, models and plugins "
                            "live. Without ACTION: the same as `path`. CREATOR_HOME=DIR moves "
                            "them all under one folder.")
    csub = config.add_subparsers(dest="config_command", metavar="ACTION")
    csub.add_parser("path", help="print the config file's path and the data folders",
                    description="Print the config file's path and the folders for plugins, the "
                    "database, models, and the cache and logs.")


def run(args: argparse.Namespace) -> int:
    from creator_assistant.paths import get_paths

    paths = get_paths()
    print(f"config file:    {paths.config_file}")
    print(f"user plugins:   {paths.user_plugins_dir}")
    print(f"database:       {paths.database}")
    print(f"models:         {paths.models_dir}")
    print(f"cache and logs: {paths.cache_dir}")
    return 0
