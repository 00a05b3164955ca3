#!/bin/sh
# Doxygen input filter: the public headers keep plain C comments (they are
# read in editors far more often than as HTML), and this turns them into
# doc comments: the file's opening comment documents the file, a comment
# block in column 0 documents what follows it, and a comment after a member
# or enumerator on the same line documents that member.
exec sed -e '1,/\*\//{s,^/\*$,/** @file,;s,^/\* ,/** @file ,}' \
	-e 's,^/\*$,/**,' -e 's,^/\* ,/** ,' \
	-e 's,^\(\t\)/\*$,\1/**,' -e 's,^\(\t\)/\* ,\1/** ,' \
	-e 's,\([;,{]\)\([ \t]*\)/\* ,\1\2/**< ,' \
	-e 's,\(= [^,/]*\)\([ \t]*\)/\* ,\1\2/**< ,' \
	-e 's,^\(#define [A-Za-z_0-9]* [^/]*\)/\* ,\1/**< ,' "$1"
