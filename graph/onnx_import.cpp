#include "graph/onnx_import.h"
