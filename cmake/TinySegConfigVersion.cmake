# Version check for find_package(TinySeg <version> CONFIG). The version is read
# from the package's own package.json, so it cannot drift from the npm release.
# 0.x releases are compatible within a minor version, later ones within a major.

file(READ "${CMAKE_CURRENT_LIST_DIR}/../package.json" _tinyseg_package_json)
string(JSON PACKAGE_VERSION ERROR_VARIABLE _tinyseg_json_error GET "${_tinyseg_package_json}" version)
if(_tinyseg_json_error)
  set(PACKAGE_VERSION "0")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
  return()
endif()

set(PACKAGE_VERSION_COMPATIBLE FALSE)
set(PACKAGE_VERSION_EXACT FALSE)
if(PACKAGE_FIND_VERSION)
  string(REGEX MATCH "^([0-9]+)\\.([0-9]+)" _tinyseg_have "${PACKAGE_VERSION}")
  set(_tinyseg_have_major "${CMAKE_MATCH_1}")
  set(_tinyseg_have_minor "${CMAKE_MATCH_2}")
  if(PACKAGE_VERSION VERSION_GREATER_EQUAL PACKAGE_FIND_VERSION
     AND _tinyseg_have_major EQUAL PACKAGE_FIND_VERSION_MAJOR
     AND (NOT _tinyseg_have_major EQUAL 0 OR PACKAGE_FIND_VERSION_COUNT LESS 2
          OR _tinyseg_have_minor EQUAL PACKAGE_FIND_VERSION_MINOR))
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
  endif()
  if(PACKAGE_VERSION VERSION_EQUAL PACKAGE_FIND_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
endif()
