// Every step type's parameter struct (engine/runtime/step_type.h), for the registration list
// (registry.cpp) and the compiler that builds steps from them.
#pragma once
#include "engine/runtime/steps/add_f32.h"
#include "engine/runtime/steps/concat_f32.h"
#include "engine/runtime/steps/conv_f32.h"
#include "engine/runtime/steps/dwconv_f32.h"
#include "engine/runtime/steps/gemm_f32.h"
#include "engine/runtime/steps/global_average_f32.h"
#include "engine/runtime/steps/grouped_conv_f32.h"
#include "engine/runtime/steps/layout_change.h"
#include "engine/runtime/steps/pool_f32.h"
#include "engine/runtime/steps/qadd.h"
#include "engine/runtime/steps/qaverage_pool.h"
#include "engine/runtime/steps/qconv.h"
#include "engine/runtime/steps/qglobal_average.h"
#include "engine/runtime/steps/quantize.h"
#include "engine/runtime/steps/reference_unary.h"
#include "engine/runtime/steps/softmax.h"
