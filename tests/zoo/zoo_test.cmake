# One zoo ctest: the regenerated model and inputs must be the files ONNX Runtime's committed
# outputs were computed from (sha256 in tests/zoo/manifest.json), then octet-zoo-run compares.
foreach(pair "${NAME}.onnx;${SHA_ONNX}" "${NAME}.inputs.npy;${SHA_INPUTS}")
  list(GET pair 0 file)
  list(GET pair 1 want)
  if(NOT EXISTS "${DIR}/${file}")
    message(FATAL_ERROR "${DIR}/${file} is missing: run /usr/bin/python3 tools/zoo/make_zoo.py")
  endif()
  file(SHA256 "${DIR}/${file}" got)
  if(NOT got STREQUAL want)
    message(FATAL_ERROR "${DIR}/${file} is not the file tests/zoo/manifest.json describes "
      "(sha256 ${got}, manifest ${want}): regenerate the zoo and ONNX Runtime's outputs (docs/zoo.md)")
  endif()
endforeach()
list(REMOVE_ITEM FLAGS "")
execute_process(COMMAND "${RUN}" "${DIR}/${NAME}.onnx" "${DIR}/${NAME}.inputs.npy" "${REF}" ${FLAGS}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "octet-zoo-run failed for ${NAME}")
endif()
