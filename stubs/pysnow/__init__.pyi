# Types for the part of pysnow 0.7 the connector uses (pysnow ships none). Signatures follow its
# source; anything not listed here is not used and so not typed.
from pysnow.client import Client as Client
from pysnow.params_builder import ParamsBuilder as ParamsBuilder
from pysnow.query_builder import QueryBuilder as QueryBuilder
from pysnow.resource import Resource as Resource
