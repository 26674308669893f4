# TinySeg for CMake: find_package(TinySeg CONFIG) with
# CMAKE_PREFIX_PATH=<project>/node_modules (the npm package ships this
# directory), then tinyseg_optimize(<target> MODEL <file> ...). Documented in
# docs/cmake.md.
#
# The function runs the package's own CLI (bin/tinyseg.js) with the Node.js
# found here at build time, through add_custom_command: the optimizer runs when
# the model, the target profile, the options or TinySeg itself change, and not
# otherwise.

if(CMAKE_VERSION VERSION_LESS 3.20)
  set(TinySeg_FOUND FALSE)
  set(TinySeg_NOT_FOUND_MESSAGE "TinySeg needs CMake 3.20 or newer (DEPFILE for add_custom_command with Makefiles); this is ${CMAKE_VERSION}")
  return()
endif()

option(TINYSEG_VERBOSE "tinyseg_optimize(): print the optimizer's whole report in the build, not one line" OFF)

# Functions keep the policies in force where they are defined: CMP0116 NEW
# (paths in the depfile are ours, absolute) whatever the calling project sets.
cmake_policy(PUSH)
cmake_policy(VERSION 3.20...3.31)

get_filename_component(TINYSEG_PACKAGE_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(TINYSEG_CLI "${TINYSEG_PACKAGE_DIR}/bin/tinyseg.js")
set(TINYSEG_RUNTIME_DIR "${TINYSEG_PACKAGE_DIR}/templates/runtime")

macro(_tinyseg_not_found message)
  set(TinySeg_FOUND FALSE)
  set(TinySeg_NOT_FOUND_MESSAGE "${message}")
  cmake_policy(POP)
  return()
endmacro()

# Node.js runs on the build machine: a cross toolchain's find root must not hide it.
find_program(TINYSEG_NODE_EXECUTABLE NAMES node nodejs NO_CMAKE_FIND_ROOT_PATH
  DOC "Node.js that runs the TinySeg CLI (^20.19.0 or >=22.12.0)")
if(NOT TINYSEG_NODE_EXECUTABLE)
  _tinyseg_not_found("TinySeg: Node.js not found: install Node.js 20.19+ or set TINYSEG_NODE_EXECUTABLE to the node binary")
endif()
if(NOT TINYSEG_NODE_VERSION_CHECKED STREQUAL TINYSEG_NODE_EXECUTABLE)
  execute_process(COMMAND "${TINYSEG_NODE_EXECUTABLE}" --version
    OUTPUT_VARIABLE _tinyseg_node_version OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _tinyseg_node_status)
  string(REGEX REPLACE "^v" "" _tinyseg_node_version "${_tinyseg_node_version}")
  if(NOT _tinyseg_node_status EQUAL 0
     OR _tinyseg_node_version VERSION_LESS 20.19
     OR (_tinyseg_node_version VERSION_GREATER_EQUAL 21 AND _tinyseg_node_version VERSION_LESS 22.12))
    _tinyseg_not_found("TinySeg: ${TINYSEG_NODE_EXECUTABLE} is Node.js '${_tinyseg_node_version}'; TinySeg needs ^20.19.0 or >=22.12.0 (set TINYSEG_NODE_EXECUTABLE)")
  endif()
  set(TINYSEG_NODE_VERSION_CHECKED "${TINYSEG_NODE_EXECUTABLE}" CACHE INTERNAL "the node binary whose version was checked")
endif()
if(NOT IS_DIRECTORY "${TINYSEG_PACKAGE_DIR}/dist")
  _tinyseg_not_found("TinySeg: ${TINYSEG_PACKAGE_DIR} is not built (no dist/): run 'npm run build' there, or install the package from the npm registry")
endif()

# The file names the CLI will use: its own C identifier rules and built-in
# targets, asked of its public `tinyseg emit-info` command (docs/cmake.md)
# rather than repeated here. Sets <prefix>_ID, <prefix>_MACRO and
# <prefix>_BUILTIN_TARGETS.
function(_tinyseg_names prefix name)
  # --name=<value>: a name that starts with '-' is still the value.
  execute_process(COMMAND "${TINYSEG_NODE_EXECUTABLE}" "${TINYSEG_CLI}" emit-info "--name=${name}" --json
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    string(STRIP "${err}" err)
    message(FATAL_ERROR "tinyseg_optimize: '${TINYSEG_CLI} emit-info' failed: ${err}")
  endif()
  string(JSON id GET "${out}" name)
  string(JSON macro GET "${out}" macro)
  string(JSON count LENGTH "${out}" builtinTargets)
  set(builtins "")
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON builtin GET "${out}" builtinTargets ${i})
    list(APPEND builtins "${builtin}")
  endforeach()
  set(${prefix}_ID "${id}" PARENT_SCOPE)
  set(${prefix}_MACRO "${macro}" PARENT_SCOPE)
  set(${prefix}_BUILTIN_TARGETS "${builtins}" PARENT_SCOPE)
endfunction()

# tinyseg_optimize(<target> MODEL <file> [NAME <n>] [ARENA_BUDGET <bytes>]
#                  [STORAGE psram|flash|internal-flash|remote] [TARGET_PROFILE <builtin or json>]
#                  [OUTPUT_DIR <dir>] [LOSSY_SPILL int8] [KERNELS reference|cmsis-nn] [SPILL_REGION <region>]
#                  [SECTIONS] [NO_VERIFY] [WITH_TFLM_KERNELS] [BUILTINS_ONLY]
#                  [CUSTOM_OPS <NAME[:scratch=B,persistent=B,register=F]>...] [ALLOW_UNPROVED]
#                  [REMOTE_CACHE <url>] [REMOTE_CACHE_READ_ONLY])
#
# REMOTE_CACHE shares results through a Bazel HTTP cache (docs/cache.md); the
# environment's TINYSEG_REMOTE_CACHE does the same without touching the
# project, and its auth header comes from the environment only
# (TINYSEG_REMOTE_CACHE_HEADER), never from a build file.
#
# CUSTOM_OPS declares custom operators of other projects the firmware links,
# each as the CLI's --custom-op (docs/custom-ops.md): the figures count their
# memory, the op resolver registers them with the firmware's Register_<NAME>().
# The proof cannot run them: ALLOW_UNPROVED writes such a model anyway.
#
# BUILTINS_ONLY keeps the optimized model to stock TFLite builtins (--builtins-only):
# no spill region and no TinySeg operator, for a firmware or host that runs the
# model with a resolver of builtins only (LiteRT, tfjs-tflite).
#
# WITH_TFLM_KERNELS compiles TinySeg's TFLM kernels into <target>: with a model
# optimized for the cmsis-nn kernels (KERNELS, or the target profile's), they
# call CMSIS-NN, so <target> must see CMSIS-NN's headers and define CMSIS_NN, as
# TFLM's CMSIS-NN build does (typically through the TFLM target it links); with
# reference kernels it must not define CMSIS_NN. The kernels stop the build
# with an #error otherwise (the generated tinyseg_tflm_kernels.h says the set).
function(tinyseg_optimize target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "SECTIONS;NO_VERIFY;WITH_TFLM_KERNELS;ALLOW_UNPROVED;BUILTINS_ONLY;REMOTE_CACHE_READ_ONLY"
    "MODEL;NAME;ARENA_BUDGET;STORAGE;TARGET_PROFILE;OUTPUT_DIR;LOSSY_SPILL;KERNELS;SPILL_REGION;REMOTE_CACHE" "CUSTOM_OPS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tinyseg_optimize(${target}): unknown arguments '${arg_UNPARSED_ARGUMENTS}'")
  endif()
  if(arg_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "tinyseg_optimize(${target}): ${arg_KEYWORDS_MISSING_VALUES} needs a value")
  endif()
  if(NOT TARGET "${target}")
    message(FATAL_ERROR "tinyseg_optimize(${target}): no target '${target}' (create it with add_executable or add_library first)")
  endif()
  if(NOT arg_MODEL)
    message(FATAL_ERROR "tinyseg_optimize(${target}): MODEL <file.tflite> is required")
  endif()
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if(NOT "C" IN_LIST languages OR NOT "CXX" IN_LIST languages)
    message(FATAL_ERROR "tinyseg_optimize(${target}): the generated model is C++ and the runtime C: enable both (project(... LANGUAGES C CXX))")
  endif()

  get_filename_component(model "${arg_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${model}" OR IS_DIRECTORY "${model}")
    message(FATAL_ERROR "tinyseg_optimize(${target}): ${model}: no such model file")
  endif()
  get_filename_component(model_file "${model}" NAME)
  string(REGEX REPLACE "\\.[tT][fF][lL][iI][tT][eE]$" "" model_stem "${model_file}")

  if(arg_NAME)
    _tinyseg_names(names "${arg_NAME}")
  else()
    _tinyseg_names(names "${model_file}")
  endif()
  set(id "${names_ID}")
  set(macro "${names_MACRO}")

  set(storage psram)
  if(arg_STORAGE)
    set(storage "${arg_STORAGE}")
  endif()
  if(NOT storage MATCHES "^(psram|flash|internal-flash|remote)$")
    message(FATAL_ERROR "tinyseg_optimize(${target}): STORAGE must be psram, flash, internal-flash or remote, got '${storage}'")
  endif()
  if(DEFINED arg_ARENA_BUDGET AND NOT arg_ARENA_BUDGET MATCHES "^[0-9]+$")
    message(FATAL_ERROR "tinyseg_optimize(${target}): ARENA_BUDGET must be a whole number of bytes, got '${arg_ARENA_BUDGET}'")
  endif()
  if(DEFINED arg_SPILL_REGION AND NOT arg_SPILL_REGION MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "tinyseg_optimize(${target}): SPILL_REGION must be a linker MEMORY region name, got '${arg_SPILL_REGION}'")
  endif()
  if(DEFINED arg_LOSSY_SPILL AND NOT arg_LOSSY_SPILL STREQUAL "int8")
    message(FATAL_ERROR "tinyseg_optimize(${target}): LOSSY_SPILL takes int8, got '${arg_LOSSY_SPILL}'")
  endif()
  # The kernels the firmware links; absent: the target profile's (docs/target-profile.md).
  if(DEFINED arg_KERNELS AND NOT arg_KERNELS MATCHES "^(reference|cmsis-nn)$")
    message(FATAL_ERROR "tinyseg_optimize(${target}): KERNELS must be reference or cmsis-nn, got '${arg_KERNELS}'")
  endif()

  # A built-in name goes to the CLI as it is; anything else is a profile file
  # the outputs depend on.
  set(profile mps2-an386)
  set(profile_file "")
  if(arg_TARGET_PROFILE)
    if(arg_TARGET_PROFILE IN_LIST names_BUILTIN_TARGETS)
      set(profile "${arg_TARGET_PROFILE}")
    else()
      get_filename_component(profile_file "${arg_TARGET_PROFILE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
      if(NOT EXISTS "${profile_file}")
        string(REPLACE ";" ", " builtins "${names_BUILTIN_TARGETS}")
        message(FATAL_ERROR "tinyseg_optimize(${target}): ${profile_file}: no such target profile file, and not a built-in target (${builtins})")
      endif()
      set(profile "${profile_file}")
    endif()
  endif()

  set(dir "${CMAKE_CURRENT_BINARY_DIR}/tinyseg/${id}")
  if(arg_OUTPUT_DIR)
    get_filename_component(dir "${arg_OUTPUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  get_property(claimed GLOBAL PROPERTY _TINYSEG_OUTPUTS)
  if("${dir}/${id}" IN_LIST claimed)
    message(FATAL_ERROR "tinyseg_optimize(${target}): ${dir}/${id}_* is generated twice: give each model its own NAME or OUTPUT_DIR")
  endif()
  set_property(GLOBAL APPEND PROPERTY _TINYSEG_OUTPUTS "${dir}/${id}")

  set(model_cc "${dir}/${id}_model.cc")
  set(init_c "${dir}/${id}_tinyseg.c")
  set(headers "${dir}/${id}_model.h" "${dir}/${id}_arena.h" "${dir}/${id}_resolver.h" "${dir}/${id}_tinyseg.h")
  # The runtime and the kernels are the same for every model: written into
  # every OUTPUT_DIR, declared (and compiled) once per directory and target.
  set(runtime_c "${dir}/tinyseg_runtime.c")
  set(kernels_cc "${dir}/tinyseg_tflm_kernels.cc")
  set(runtime_files "${runtime_c}" "${dir}/tinyseg_runtime.h" "${kernels_cc}" "${dir}/tinyseg_tflm_kernels.h")
  get_property(runtime_dirs GLOBAL PROPERTY _TINYSEG_RUNTIME_DIRS)
  set(runtime_outputs)
  if(NOT "${dir}" IN_LIST runtime_dirs)
    set_property(GLOBAL APPEND PROPERTY _TINYSEG_RUNTIME_DIRS "${dir}")
    set(runtime_outputs ${runtime_files})
  endif()
  set(fragment "${dir}/${id}_sections.ld")
  set(optimized "${dir}/${model_stem}.tflite")
  set(plan "${dir}/${model_stem}.plan.json")
  set(depfile "${dir}/${id}.d")
  set(stamp "${dir}/${id}.stamp")

  set(args optimize "${model}" -o "${dir}" --emit "${dir}" --name "${id}" --target "${profile}" --storage "${storage}"
    --depfile "${depfile}" --stamp "${stamp}")
  if(NOT TINYSEG_VERBOSE)
    list(APPEND args --quiet)
  endif()
  if(DEFINED arg_ARENA_BUDGET)
    list(APPEND args --arena-budget "${arg_ARENA_BUDGET}")
  endif()
  if(DEFINED arg_KERNELS)
    list(APPEND args --kernels "${arg_KERNELS}")
  endif()
  if(arg_NO_VERIFY)
    list(APPEND args --no-verify)
  endif()
  if(arg_BUILTINS_ONLY)
    list(APPEND args --builtins-only)
  endif()
  if(DEFINED arg_LOSSY_SPILL)
    list(APPEND args --lossy-spill "${arg_LOSSY_SPILL}")
  endif()
  if(DEFINED arg_SPILL_REGION)
    list(APPEND args --spill-region "${arg_SPILL_REGION}")
  endif()
  # The CLI checks each declaration (a malformed one fails the build with its one-line error).
  foreach(custom_op IN LISTS arg_CUSTOM_OPS)
    list(APPEND args --custom-op "${custom_op}")
  endforeach()
  if(arg_ALLOW_UNPROVED)
    list(APPEND args --allow-unproved)
  endif()
  # The CLI checks the URL when the command runs; a bad one fails the build with its one-line error.
  if(DEFINED arg_REMOTE_CACHE)
    list(APPEND args --remote-cache "${arg_REMOTE_CACHE}")
  endif()
  if(arg_REMOTE_CACHE_READ_ONLY)
    list(APPEND args --remote-cache-read-only)
  endif()
  set(outputs "${optimized}" "${plan}" "${model_cc}" "${init_c}" ${headers} ${runtime_outputs})
  if(arg_SECTIONS)
    list(APPEND args --sections)
    list(APPEND outputs "${fragment}")
  endif()

  # Makefiles do not rerun a custom command whose command line changed: the
  # arguments go into a file that changes only when they do.
  set(options_file "${dir}/${id}.options")
  string(REPLACE ";" "\n" options_text "${args}")
  set(previous "")
  if(EXISTS "${options_file}")
    file(READ "${options_file}" previous)
  endif()
  if(NOT previous STREQUAL "${options_text}\n")
    file(WRITE "${options_file}" "${options_text}\n")
  endif()

  # The command's OUTPUT is the stamp the CLI touches on every run (the target
  # its depfile names); the files it writes are BYPRODUCTS, rewritten only when
  # their bytes change. A touched model reruns the optimizer (a cache hit) and
  # recompiles nothing: Ninja checks the byproducts again after the command
  # (restat), and Makefiles compile in a later step that sees their mtimes.
  add_custom_command(
    OUTPUT "${stamp}"
    BYPRODUCTS ${outputs}
    COMMAND "${TINYSEG_NODE_EXECUTABLE}" "${TINYSEG_CLI}" ${args}
    DEPENDS "${model}" ${profile_file} "${options_file}"
    DEPFILE "${depfile}"
    COMMENT "TinySeg: optimizing ${model_file} as ${id}"
    VERBATIM)

  # The stamp is a source of the target so that the command runs before its
  # sources compile. One runtime (and one set of kernels) per target, however
  # many models it embeds: the copy in the first model's OUTPUT_DIR.
  target_sources(${target} PRIVATE "${stamp}" "${model_cc}" "${init_c}" ${headers})
  get_target_property(runtime_of_target ${target} _TINYSEG_RUNTIME)
  if(NOT runtime_of_target)
    set_property(TARGET ${target} PROPERTY _TINYSEG_RUNTIME "${dir}")
    target_sources(${target} PRIVATE "${runtime_c}")
    if(arg_WITH_TFLM_KERNELS)
      target_sources(${target} PRIVATE "${kernels_cc}")
    endif()
  elseif(arg_WITH_TFLM_KERNELS)
    get_target_property(kernels_of_target ${target} _TINYSEG_KERNELS)
    if(NOT kernels_of_target)
      target_sources(${target} PRIVATE "${runtime_of_target}/tinyseg_tflm_kernels.cc")
    endif()
  endif()
  if(arg_WITH_TFLM_KERNELS)
    set_property(TARGET ${target} PROPERTY _TINYSEG_KERNELS ON)
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE "${dir}")
  else()
    target_include_directories(${target} PUBLIC "${dir}")
  endif()
  if(arg_SECTIONS)
    target_link_options(${target} PRIVATE "-T${fragment}")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${fragment}")
    set(TINYSEG_${macro}_LINKER_FRAGMENT "${fragment}" PARENT_SCOPE)
  endif()

  set(TINYSEG_${macro}_NAME "${id}" PARENT_SCOPE)
  set(TINYSEG_${macro}_OUTPUT_DIR "${dir}" PARENT_SCOPE)
  set(TINYSEG_${macro}_MODEL_SOURCE "${model_cc}" PARENT_SCOPE)
  set(TINYSEG_${macro}_MODEL_HEADER "${dir}/${id}_model.h" PARENT_SCOPE)
  set(TINYSEG_${macro}_ARENA_HEADER "${dir}/${id}_arena.h" PARENT_SCOPE)
  set(TINYSEG_${macro}_RESOLVER_HEADER "${dir}/${id}_resolver.h" PARENT_SCOPE)
  set(TINYSEG_${macro}_OPTIMIZED_MODEL "${optimized}" PARENT_SCOPE)
  set(TINYSEG_${macro}_PLAN_JSON "${plan}" PARENT_SCOPE)
endfunction()

cmake_policy(POP)
