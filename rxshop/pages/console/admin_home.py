import reflex as rx

from ... import routes
from ...components.admin_frame import admin_page
from ...state.admin_state import AdminState


@rx.page(route=routes.ADMIN, title="Console · rxshop", on_load=AdminState.require)
def home() -> rx.Component:
    return admin_page("Dashboard", rx.el.p("Signed in as ", AdminState.operator_email))
