// The pickle VM of cifar_pickle.h (opcode dispatch, the allowed globals and what calling them
// builds), and parse_cifar_pickle: the CIFAR-10 batch dict checked and turned into a CifarSet.
#include "tools/datasets/cifar_pickle.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "tools/datasets/cifar.h"

namespace octet::pickle {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::Bytes: return "bytes";
    case Kind::Str: return "str";
    case Kind::List: return "list";
    case Kind::Tuple: return "tuple";
    case Kind::Dict: return "dict";
    case Kind::Global: return "global";
    case Kind::Dtype: return "numpy.dtype";
    case Kind::Array: return "numpy.ndarray";
  }
  return "?";
}

uint32_t VM::make_global(const std::string& module, const std::string& name) {
  const bool numpy_core = module == "numpy.core.multiarray" || module == "numpy._core.multiarray";
  const bool numpy_numeric = module == "numpy.core.numeric" || module == "numpy._core.numeric";
  Fn fn;
  if (numpy_core && name == "_reconstruct") fn = Fn::Reconstruct;
  else if (module == "numpy" && name == "ndarray") fn = Fn::Ndarray;
  else if (module == "numpy" && name == "dtype") fn = Fn::Dtype;
  else if (module == "_codecs" && name == "encode") fn = Fn::CodecsEncode;   // Python 3 protocol 2 bytes
  else if (numpy_numeric && name == "_frombuffer") fn = Fn::FromBuffer;     // numpy at protocol 5
  else fail("unsupported pickle global " + module + "." + name + " (a CIFAR-10 batch only uses numpy array globals)");
  Obj g(Kind::Global, module + "." + name);
  g.fn = fn;
  return make(std::move(g));
}

// Bytes pickled by Python 3 at protocol 2 arrive as _codecs.encode(text, 'latin1'): every
// code point of the UTF-8 text must be < 256 and becomes one byte.
std::string VM::latin1_from_utf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t k = 0; k < s.size();) {
    auto c = static_cast<uint8_t>(s[k]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++k;
    } else if ((c & 0xE0) == 0xC0 && k + 1 < s.size() && (static_cast<uint8_t>(s[k + 1]) & 0xC0) == 0x80) {
      unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<uint8_t>(s[k + 1]) & 0x3Fu);
      if (cp < 0x80 || cp > 0xFF) fail("_codecs.encode: text is not latin-1");
      out += static_cast<char>(cp);
      k += 2;
    } else {
      fail("_codecs.encode: text is not latin-1");
    }
  }
  return out;
}

uint32_t VM::reduce(uint32_t callable, uint32_t args_id) {
  const Obj& fn_obj = expect(callable, Kind::Global, "REDUCE callable");
  const std::vector<uint32_t> args = expect(args_id, Kind::Tuple, "REDUCE arguments").items;
  auto arg = [&](size_t k, Kind kind, const char* what) -> const Obj& {
    if (k >= args.size()) fail(fn_obj.s + " called with " + std::to_string(args.size()) + " arguments");
    return expect(args[k], kind, what);
  };
  auto text = [&](size_t k, const char* what) -> std::string {   // str or (Python 2) bytes
    if (k >= args.size()) fail(fn_obj.s + " called with " + std::to_string(args.size()) + " arguments");
    const Obj& o = objs_[args[k]];
    if (o.kind != Kind::Str && o.kind != Kind::Bytes) fail(std::string(what) + " must be a string");
    return o.s;
  };
  switch (fn_obj.fn) {
    case Fn::Reconstruct: {   // _reconstruct(ndarray, (0,), b'b'): an empty array, filled by BUILD
      if (arg(0, Kind::Global, "_reconstruct class").fn != Fn::Ndarray) fail("_reconstruct of a class other than numpy.ndarray");
      return make(Kind::Array);
    }
    case Fn::Dtype: {         // dtype('u1', align, copy); the byte order comes by BUILD
      std::string code = text(0, "dtype code");
      if (code.size() > 16) fail("dtype code too long");
      return make_str(Kind::Dtype, code);
    }
    case Fn::CodecsEncode: {
      std::string s = arg(0, Kind::Str, "_codecs.encode text").s;
      std::string enc = text(1, "_codecs.encode encoding");
      if (enc != "latin1" && enc != "latin-1") fail("_codecs.encode with encoding '" + enc + "' (only latin1 is used by pickle)");
      return make_str(Kind::Bytes, latin1_from_utf8(s));
    }
    case Fn::FromBuffer: {    // _frombuffer(buffer, dtype, shape, order)
      if (args.size() != 4) fail("numpy _frombuffer called with " + std::to_string(args.size()) + " arguments");
      arg(0, Kind::Bytes, "_frombuffer buffer");
      arg(1, Kind::Dtype, "_frombuffer dtype");
      Obj a(Kind::Array);
      a.built = true;
      for (uint32_t d : arg(2, Kind::Tuple, "_frombuffer shape").items) a.shape.push_back(expect(d, Kind::Int, "shape entry").i);
      a.fortran = text(3, "_frombuffer order") == "F";
      a.dtype = args[1];
      a.data = args[0];
      return make(std::move(a));
    }
    case Fn::Ndarray: break;
  }
  fail("cannot call " + fn_obj.s);
}

void VM::build(uint32_t target, uint32_t state_id) {
  const Kind k = objs_[target].kind;
  const std::vector<uint32_t> state = expect(state_id, Kind::Tuple, "BUILD state").items;
  if (k == Kind::Dtype) {   // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
    if (state.size() >= 2 && objs_[state[1]].kind != Kind::None) {
      const Obj& order = objs_[state[1]];
      if (order.kind != Kind::Str && order.kind != Kind::Bytes) fail("dtype byte order must be a string");
      if (order.s == ">") objs_[target].s = ">" + objs_[target].s;   // only big-endian changes the meaning
    }
    return;
  }
  if (k != Kind::Array || objs_[target].built) fail(std::string("BUILD on a ") + kind_name(k) + " (unsupported)");
  // ndarray state: ([version,] shape, dtype, is_fortran, rawdata)
  size_t off = state.size() == 5 ? 1 : 0;
  if (state.size() != 4 + off) fail("ndarray state has " + std::to_string(state.size()) + " entries, expected 4 or 5");
  if (off && expect(state[0], Kind::Int, "ndarray state version").i != 1) fail("ndarray state version is not 1");
  Obj a(Kind::Array);
  a.built = true;
  for (uint32_t d : expect(state[off], Kind::Tuple, "ndarray shape").items) a.shape.push_back(expect(d, Kind::Int, "shape entry").i);
  expect(state[off + 1], Kind::Dtype, "ndarray dtype");
  a.dtype = state[off + 1];
  const Obj& fortran = objs_[state[off + 2]];
  if (fortran.kind != Kind::Bool && fortran.kind != Kind::Int) fail("ndarray is_fortran must be a bool");
  a.fortran = fortran.i != 0;
  if (objs_[state[off + 3]].kind != Kind::Bytes) fail("ndarray data must be bytes (object arrays are not supported)");
  a.data = state[off + 3];
  objs_[target] = std::move(a);
}

void VM::append_to(uint32_t list, const std::vector<uint32_t>& items) {
  Obj& l = expect(list, Kind::List, "APPEND target");
  if (l.items.size() + items.size() > kMaxObjects) fail("list too long");
  l.items.insert(l.items.end(), items.begin(), items.end());
}

void VM::set_items(uint32_t dict, const std::vector<uint32_t>& items) {
  if (items.size() % 2) fail("SETITEMS with an odd number of items");
  Obj& d = expect(dict, Kind::Dict, "SETITEM target");
  if (d.items.size() + items.size() > kMaxObjects) fail("dict too large");
  d.items.insert(d.items.end(), items.begin(), items.end());
}

uint32_t VM::run() {
  for (;;) {
    op_pos_ = pos_;
    const uint8_t op = *take(1);
    switch (op) {
      case 0x80: {   // PROTO
        uint64_t v = le(1);
        if (v < 2 || v > 5) fail("pickle protocol " + std::to_string(v) + " (supported: 2..5)");
        break;
      }
      case 0x95: le(8); break;   // FRAME: a length hint; the opcodes simply continue
      case '.': {               // STOP
        uint32_t result = pop();
        if (!stack_.empty() || !marks_.empty()) fail("STOP with items left on the stack");
        return result;
      }
      case '(':
        if (marks_.size() >= kMaxMarks) fail("too many nested MARKs");
        marks_.push_back(stack_.size());
        break;
      case 'N': push(make(Kind::None)); break;
      case 0x88: push(make(Obj(Kind::Bool, 1))); break;   // NEWTRUE
      case 0x89: push(make(Obj(Kind::Bool, 0))); break;   // NEWFALSE
      case 'K': push(make_int(static_cast<int64_t>(le(1)))); break;    // BININT1
      case 'M': push(make_int(static_cast<int64_t>(le(2)))); break;    // BININT2
      case 'J': push(make_int(static_cast<int32_t>(static_cast<uint32_t>(le(4))))); break;   // BININT
      case 0x8a: {   // LONG1: n-byte little-endian two's complement
        uint64_t n = le(1);
        if (n > 8) fail("LONG1 of " + std::to_string(n) + " bytes (too large)");
        uint64_t v = n ? le(static_cast<int>(n)) : 0;
        if (n && n < 8 && (v >> (8 * n - 1)) & 1) v |= ~uint64_t{0} << (8 * n);   // sign-extend
        push(make_int(static_cast<int64_t>(v)));
        break;
      }
      case 'G': {   // BINFLOAT: big-endian double
        const uint8_t* p = take(8);
        uint64_t bits = 0;
        for (int k = 0; k < 8; ++k) bits = (bits << 8) | p[k];
        double d;
        std::memcpy(&d, &bits, 8);
        Obj o(Kind::Float);
        o.f = d;
        push(make(std::move(o)));
        break;
      }
      // Python 2 str: bytes under encoding='bytes'.
      case 'U': push(make_str(Kind::Bytes, take_string(le(1)))); break;   // SHORT_BINSTRING
      case 'T': {                                                        // BINSTRING (signed length)
        auto n = static_cast<int32_t>(static_cast<uint32_t>(le(4)));
        if (n < 0) fail("BINSTRING with negative length");
        push(make_str(Kind::Bytes, take_string(static_cast<uint64_t>(n))));
        break;
      }
      case 'C': push(make_str(Kind::Bytes, take_string(le(1)))); break;   // SHORT_BINBYTES
      case 'B': push(make_str(Kind::Bytes, take_string(le(4)))); break;   // BINBYTES
      case 0x8e: push(make_str(Kind::Bytes, take_string(le(8)))); break;  // BINBYTES8
      case 0x96: push(make_str(Kind::Bytes, take_string(le(8)))); break;  // BYTEARRAY8
      case 0x8c: push(make_str(Kind::Str, take_string(le(1)))); break;    // SHORT_BINUNICODE
      case 'X': push(make_str(Kind::Str, take_string(le(4)))); break;     // BINUNICODE
      case 0x8d: push(make_str(Kind::Str, take_string(le(8)))); break;    // BINUNICODE8
      case ']': push(make(Kind::List)); break;
      case '}': push(make(Kind::Dict)); break;
      case ')': push(make(Kind::Tuple)); break;
      case 't': {
        Obj t(Kind::Tuple);
        t.items = pop_mark();
        push(make(std::move(t)));
        break;
      }
      case 0x85: case 0x86: case 0x87: {   // TUPLE1..3
        Obj t(Kind::Tuple);
        t.items.resize(op - 0x84u);
        for (size_t k = t.items.size(); k-- > 0;) t.items[k] = pop();
        push(make(std::move(t)));
        break;
      }
      case 'a': {
        uint32_t v = pop();
        append_to(top(), {v});
        break;
      }
      case 'e': {
        std::vector<uint32_t> items = pop_mark();
        append_to(top(), items);
        break;
      }
      case 's': {
        uint32_t v = pop(), k = pop();
        set_items(top(), {k, v});
        break;
      }
      case 'u': {
        std::vector<uint32_t> items = pop_mark();
        set_items(top(), items);
        break;
      }
      case 'c': {
        std::string module = take_line();
        std::string name = take_line();
        push(make_global(module, name));
        break;
      }
      case 0x93: {   // STACK_GLOBAL
        std::string name = expect(pop(), Kind::Str, "STACK_GLOBAL name").s;
        std::string module = expect(pop(), Kind::Str, "STACK_GLOBAL module").s;
        push(make_global(module, name));
        break;
      }
      case 'R': {
        uint32_t args = pop(), callable = pop();
        push(reduce(callable, args));
        break;
      }
      case 'b': {
        uint32_t state = pop();
        build(top(), state);
        break;
      }
      case 'q': memo_put(le(1)); break;     // BINPUT
      case 'r': memo_put(le(4)); break;     // LONG_BINPUT
      case 0x94: memo_put(memo_.size()); break;   // MEMOIZE
      case 'h': memo_get(le(1)); break;     // BINGET
      case 'j': memo_get(le(4)); break;     // LONG_BINGET
      default: {
        static const char* hex = "0123456789abcdef";
        fail(std::string("unsupported pickle opcode 0x") + hex[op >> 4] + hex[op & 15]);
      }
    }
  }
}

}  // namespace octet::pickle

namespace octet {
namespace {

[[noreturn]] void fail_in(const std::string& source, const std::string& msg) { throw Error(source + ": " + msg); }

bool key_is(const pickle::Obj& key, std::string_view name) {
  return (key.kind == pickle::Kind::Str || key.kind == pickle::Kind::Bytes) && key.s == name;
}

}  // namespace

CifarSet parse_cifar_pickle(std::span<const uint8_t> bytes, const std::string& source_name, size_t limit) {
  using pickle::Kind;
  using pickle::Obj;
  pickle::VM vm(bytes, source_name);
  const Obj& root = vm.obj(vm.run());
  auto fail = [&](const std::string& msg) { fail_in(source_name, msg); };
  if (root.kind != Kind::Dict) fail(std::string("pickle holds a ") + pickle::kind_name(root.kind) + ", expected a CIFAR-10 batch dict");
  const Obj* labels = nullptr;
  const Obj* data = nullptr;
  bool fine_labels = false;
  for (size_t k = 0; k + 1 < root.items.size(); k += 2) {   // the last duplicate key wins, as in Python
    const Obj& key = vm.obj(root.items[k]);
    if (key_is(key, "labels")) labels = &vm.obj(root.items[k + 1]);
    if (key_is(key, "data")) data = &vm.obj(root.items[k + 1]);
    if (key_is(key, "fine_labels")) fine_labels = true;
  }
  if (!labels) fail(fine_labels ? "CIFAR-100 batches (fine_labels) are not supported" : "batch dict has no 'labels' key");
  if (!data) fail("batch dict has no 'data' key");
  if (labels->kind != Kind::List && labels->kind != Kind::Tuple) fail(std::string("'labels' is a ") + pickle::kind_name(labels->kind) + ", expected a list");
  if (data->kind != Kind::Array || !data->built) fail(std::string("'data' is a ") + pickle::kind_name(data->kind) + ", expected a numpy array");

  const std::string& code = vm.obj(data->dtype).s;
  if (code != "u1") fail("'data' has dtype '" + code + "', expected uint8 ('u1')");
  if (data->shape.size() != 2 || data->shape[1] != static_cast<int64_t>(kCifarPixels) || data->shape[0] < 0) {
    std::string s = "(";
    for (size_t k = 0; k < data->shape.size(); ++k) s += (k ? "," : "") + std::to_string(data->shape[k]);
    fail("'data' has shape " + s + "), expected (N,3072)");
  }
  const auto n = static_cast<size_t>(data->shape[0]);
  if (data->fortran && n > 1) fail("'data' is in Fortran order, expected C order");
  const std::string& raw = vm.obj(data->data).s;
  if (raw.size() / kCifarPixels != n || raw.size() % kCifarPixels != 0)
    fail("'data' holds " + std::to_string(raw.size()) + " bytes for shape (" + std::to_string(n) + ",3072)");
  if (labels->items.size() != n)
    fail("'labels' has " + std::to_string(labels->items.size()) + " entries but 'data' has " + std::to_string(n) + " images");
  if (n == 0) fail("batch holds no images");

  const size_t keep = std::min(n, limit);
  CifarSet set;
  set.labels.resize(keep);
  for (size_t k = 0; k < n; ++k) {   // all labels are checked, even past the limit
    const Obj& l = vm.obj(labels->items[k]);
    if (l.kind != Kind::Int) fail("labels[" + std::to_string(k) + "] is a " + pickle::kind_name(l.kind) + ", expected an int");
    if (l.i < 0 || l.i >= kCifarClasses)
      fail("labels[" + std::to_string(k) + "] = " + std::to_string(l.i) + " is out of range 0..9");
    if (k < keep) set.labels[k] = static_cast<uint8_t>(l.i);
  }
  set.pixels.assign(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(keep * kCifarPixels));
  return set;
}

}  // namespace octet
