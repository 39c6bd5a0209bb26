#!/bin/sh
# Stands in for cargo in one napi build (scripts/native.sh, build_node_addon): creates the addon's
# empty type-definition file in the folder napi chose, so that napi does not force the first real
# build with a variable the next build would not set. Builds nothing.
[ -n "${NAPI_TYPE_DEF_TMP_FOLDER:-}" ] || exit 1
mkdir -p "$NAPI_TYPE_DEF_TMP_FOLDER" && : >"$NAPI_TYPE_DEF_TMP_FOLDER/tokenward-node"
exit 1
