# sondeo_options: every target links it PRIVATE (flags never leak to consumers).
option(SONDEO_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" ON)
set(SONDEO_SANITIZE "" CACHE STRING "Sanitizers, e.g. address,undefined or thread (empty = none)")
option(SONDEO_FUZZ "Build libFuzzer targets (needs clang)" OFF)

add_library(sondeo_options INTERFACE)
target_compile_features(sondeo_options INTERFACE cxx_std_20)
target_compile_options(sondeo_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Woverloaded-virtual -Wold-style-cast -Wimplicit-fallthrough
  -Wnull-dereference -Wformat=2
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wduplicated-branches -Wlogical-op -Wsuggest-override>
  # GCC 12 reports false -Wrestrict on std::string at -O2/-O3 (GCC PR 105329).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
  # GCC 12 at -O2 reports "potential null pointer dereference" inside libstdc++'s streambuf
  # and Boost.Asio's scheduler once they are inlined into our code: shown, not fatal.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-error=null-dereference>
  # GCC-only names in "#pragma GCC diagnostic" lines are fine.
  $<$<CXX_COMPILER_ID:Clang>:-Wno-unknown-warning-option>
  $<$<BOOL:${SONDEO_WARNINGS_AS_ERRORS}>:-Werror>)

if(SONDEO_SANITIZE)
  if(SONDEO_SANITIZE MATCHES "thread" AND SONDEO_SANITIZE MATCHES "address")
    message(FATAL_ERROR "SONDEO_SANITIZE: thread cannot be combined with address")
  endif()
  # Sanitizers apply to every target (tests and third-party template code included).
  add_compile_options(-fsanitize=${SONDEO_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${SONDEO_SANITIZE})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND SONDEO_SANITIZE MATCHES "undefined")
    # Clang 14: UBSan's 'function' check breaks coroutine code at assembly time.
    add_compile_options(-fno-sanitize=function)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND SONDEO_SANITIZE MATCHES "thread")
    # GCC 12: Asio's atomic fences trip -Wtsan, which -Werror turns into a failure.
    target_compile_options(sondeo_options INTERFACE -Wno-tsan)
  endif()
endif()

# sondeo_asio: Boost.Asio/Beast as we use them. Linked PUBLIC by targets whose public headers
# mention asio::awaitable (dialer, server), so their consumers get the same macros.
find_package(Threads REQUIRED)
add_library(sondeo_asio INTERFACE)
target_link_libraries(sondeo_asio INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(sondeo_asio INTERFACE
  # Boost 1.74 Asio only auto-detects coroutines on GCC; Clang and clang-tidy need these.
  BOOST_ASIO_HAS_CO_AWAIT=1 BOOST_ASIO_HAS_STD_COROUTINE=1
  BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)

if(SONDEO_FUZZ)
  # libFuzzer build (clang): every library gets coverage instrumentation; *_fuzz.cc targets
  # link the fuzzer runtime. See scripts/fuzz.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# sondeo_module(NAME [PUBLIC_DEPS ...] [PRIVATE_DEPS ...] [TEST_DEPS ...])
# One library per folder: include/<name>/ is its public surface, src/ its private code.
# Sources are src/*.cc; tests src/*_test.cc (one binary, <name>_test); libFuzzer targets
# src/*_fuzz.cc (built with -DSONDEO_FUZZ=ON). New files are picked up at the next build.
function(sondeo_module name)
  cmake_parse_arguments(M "" "" "PUBLIC_DEPS;PRIVATE_DEPS;TEST_DEPS" ${ARGN})
  file(GLOB _all CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.cc)
  set(_src "")
  set(_tests "")
  set(_fuzz "")
  foreach(f IN LISTS _all)
    if(f MATCHES "_test\\.cc$")
      list(APPEND _tests ${f})
    elseif(f MATCHES "_fuzz\\.cc$")
      list(APPEND _fuzz ${f})
    else()
      list(APPEND _src ${f})
    endif()
  endforeach()
  add_library(sondeo_${name} ${_src})
  add_library(sondeo::${name} ALIAS sondeo_${name})
  target_include_directories(sondeo_${name}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(sondeo_${name} PUBLIC ${M_PUBLIC_DEPS} PRIVATE sondeo_options ${M_PRIVATE_DEPS})
  if(BUILD_TESTING AND _tests)
    add_executable(${name}_test ${_tests})
    target_include_directories(${name}_test PRIVATE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name}_test PRIVATE sondeo_${name} sondeo_testutil sondeo_options
      ${M_PRIVATE_DEPS} ${M_TEST_DEPS} GTest::gmock GTest::gtest_main)
    gtest_discover_tests(${name}_test DISCOVERY_TIMEOUT 120
      PROPERTIES ENVIRONMENT "SONDEO_SOURCE_DIR=${PROJECT_SOURCE_DIR}" LABELS unit)
  endif()
  if(SONDEO_FUZZ)
    foreach(f IN LISTS _fuzz)
      get_filename_component(_fname ${f} NAME_WE)
      add_executable(${_fname} ${f})
      target_include_directories(${_fname} PRIVATE ${PROJECT_SOURCE_DIR})
      target_link_libraries(${_fname} PRIVATE sondeo_${name} ${M_PRIVATE_DEPS})
      target_link_options(${_fname} PRIVATE -fsanitize=fuzzer)
      set_property(GLOBAL APPEND PROPERTY SONDEO_FUZZ_TARGETS ${_fname})
    endforeach()
  endif()
endfunction()
