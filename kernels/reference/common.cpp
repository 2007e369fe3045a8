#include "kernels/reference/common.h"
