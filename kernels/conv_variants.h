// Which conv epilogue variants a build compiles. The sanitizer builds (tools/octet-sanitize)
// define OCTET_CONV_ONE_EPILOGUE: each conv kernel then compiles one epilogue per tile instead
// of one per activation, requantisation kind or bound (kernels/f32/conv_epilogue.h,
// f32/conv_direct_impl.h, int8/conv_direct_impl.h, int8/dwconv_u8s8_vnni.cpp say which). The
// variants left out load and store the same bytes as the one kept and differ only in their
// arithmetic, which the normal build tests bit-exact; compiling all of them with ASan, UBSan
// and fuzzer coverage took most of the sanitizer build's time.
#pragma once

namespace octet::kernels {

#ifdef OCTET_CONV_ONE_EPILOGUE
inline constexpr bool kEveryConvEpilogue = false;
#else
inline constexpr bool kEveryConvEpilogue = true;
#endif

}  // namespace octet::kernels
