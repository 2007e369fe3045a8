#!/usr/bin/env bash
# Checks of an installed octet (tests/install/CMakeLists.txt runs them in ctest, label install).
#
#   check_installed.sh setup BUILD PREFIX WORK DATA
#       cmake --install BUILD --prefix PREFIX; checks the installed files; compiles ResNet8 with
#       PREFIX/bin/octet-compile; writes WORK/image.bin (the first CIFAR-10 test record) and
#       WORK/expected.txt (what BUILD's octet-embed prints for it, whose class must be the label)
#   check_installed.sh cmake|pkgconfig|plain BUILD PREFIX WORK SOURCE VERSION [CC]
#       builds SOURCE/examples/embed/embed.c against PREFIX one way, runs it on WORK/image.bin
#       and compares its output with WORK/expected.txt
#
# Every command is printed before it runs; the first failure stops with exit status 1.
set -euo pipefail

die() { echo "check_installed: FAIL: $*" >&2; exit 1; }
run() { echo "+ $*" >&2; "$@"; }
[ $# -ge 4 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
job=$1 build=$(realpath -m "$2") prefix=$(realpath -m "$3") work=$(realpath -m "$4")

if [ "$job" = setup ]; then
  data=$(realpath -m "$5")
  rm -rf "$prefix" "$work"
  mkdir -p "$work"
  run cmake --install "$build" --prefix "$prefix" > "$work/install.log" || { cat "$work/install.log"; die "cmake --install"; }
  for f in include/octet/octet.h include/octet/octet.hpp include/octet/version.h lib/liboctet_runtime.a \
           lib/liboctet_runtime.so lib/cmake/octet/octetConfig.cmake lib/cmake/octet/octetConfigVersion.cmake \
           lib/pkgconfig/octet.pc bin/octet-compile bin/octet-eval bin/octet-quantize bin/octet-inspect \
           bin/octet-conformance bin/octet-run; do
    [ -e "$prefix/$f" ] || die "$prefix/$f was not installed"
  done
  soname=$(readelf -d "$prefix/lib/liboctet_runtime.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
  [[ "$soname" =~ ^liboctet_runtime\.so\.[0-9]+\.[0-9]+$ ]] || die "SONAME of liboctet_runtime.so is '$soname'"
  [ -e "$prefix/lib/$soname" ] || die "$prefix/lib/$soname (the SONAME link) was not installed"
  run "$prefix/bin/octet-compile" "$data/resnet8.onnx" -o "$work/resnet8.octet" --no-autotune
  head -c 3073 "$data/cifar10-test-first1000.bin" > "$work/image.bin"
  run "$build/examples/embed/octet-embed" "$work/resnet8.octet" "$work/image.bin" | tee "$work/expected.txt"
  # "class 3 cat 0.912345 (label 3 cat)": the class found must be the image's label.
  read -r word class name _ _ label lname < "$work/expected.txt" || die "no output in $work/expected.txt"
  [ "$word" = class ] && [ "$label $lname" = "$class $name)" ] ||
    die "the build tree's octet-embed printed '$(cat "$work/expected.txt")': not the image's label"
  exit 0
fi

[ $# -ge 6 ] || die "usage: $0 $job BUILD PREFIX WORK SOURCE VERSION [CC]"
src=$(realpath -m "$5") version=$6 cc=${7:-cc}
[ -n "$cc" ] || cc=cc
embed_c="$src/examples/embed/embed.c"
[ -s "$work/expected.txt" ] || die "$work/expected.txt is missing: run the setup (ctest fixture Install.Setup) first"
exe="$work/embed-$job"
rm -rf "$exe" "$work/consumer-build"

case "$job" in
  cmake)
    run cmake -S "$src/tests/install/consumer" -B "$work/consumer-build" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix" -DOCTET_EMBED_SOURCE="$embed_c" \
        -DOCTET_EXPECTED_VERSION="$version" > "$work/consumer.log" || { cat "$work/consumer.log"; die "cmake configure"; }
    run cmake --build "$work/consumer-build" >> "$work/consumer.log" || { cat "$work/consumer.log"; die "cmake build"; }
    cp "$work/consumer-build/embed_find_package" "$exe"
    # The shared library (octet::runtime_shared), with header and library versions agreeing.
    got=$(LD_LIBRARY_PATH="$prefix/lib" "$work/consumer-build/version_check" "$work/resnet8.octet") ||
      die "version_check failed: $got"
    [ "$got" = "octet $version, input input_1" ] || die "version_check printed '$got'"
    echo "$got"
    static=1 ;;
  pkgconfig)
    export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
    got=$(pkg-config --modversion octet) || die "pkg-config does not find octet in $PKG_CONFIG_PATH"
    [ "$got" = "$version" ] || die "pkg-config --modversion octet is '$got', the project version is $version"
    # shellcheck disable=SC2046  # pkg-config's output is meant to be split
    run "$cc" -O2 "$embed_c" -o "$exe" $(pkg-config --cflags --libs octet)
    static=0 ;;
  plain)
    # -Bstatic: the archive, though liboctet_runtime.so is beside it; nothing else of octet.
    run "$cc" -O2 "$embed_c" -o "$exe" -I "$prefix/include" -L "$prefix/lib" \
        -Wl,-Bstatic -loctet_runtime -Wl,-Bdynamic -lstdc++ -lm -lpthread
    static=1 ;;
  *) die "unknown check '$job' (cmake, pkgconfig or plain)" ;;
esac

deps=$(LD_LIBRARY_PATH="$prefix/lib" ldd "$exe")
if [ "$static" = 1 ]; then
  ! grep -q liboctet_runtime <<< "$deps" || die "$exe links liboctet_runtime.so; the static archive was expected:
$deps"
else
  grep -q "liboctet_runtime\.so\.[0-9.]* => $prefix/lib/" <<< "$deps" ||
    die "$exe does not load liboctet_runtime.so by its SONAME from $prefix/lib:
$deps"
fi
out=$(LD_LIBRARY_PATH="$prefix/lib" "$exe" "$work/resnet8.octet" "$work/image.bin") || die "$exe failed: $out"
echo "$out"
[ "$out" = "$(cat "$work/expected.txt")" ] || die "$exe printed '$out'; expected '$(cat "$work/expected.txt")'"
echo "check_installed: $job: ok"
