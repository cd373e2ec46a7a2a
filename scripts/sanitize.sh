#!/usr/bin/env bash
# The sanitizer pass, outside the default suite (scripts/test.sh): the unit
# tests built with AddressSanitizer + UndefinedBehaviorSanitizer (preset asan,
# RelWithDebInfo) and run; the asan test preset leaves out the tests labelled
# slow, compile and python. About as long as scripts/test.sh again.
exec "$(dirname "$0")/test.sh" asan
